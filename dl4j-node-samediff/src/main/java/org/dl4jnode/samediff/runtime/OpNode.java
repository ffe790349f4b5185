package org.dl4jnode.samediff.runtime;

import org.nd4j.autodiff.functions.DifferentialFunction;

/**
 * One op of a compiled graph: the op, the variables it reads and writes, and how it is run.
 *
 * @param op           the op (a graph op, or one a {@link GraphRewrite} made in its place)
 * @param inputs       the variables it reads, in argument order
 * @param outputs      the variables it writes
 * @param backward     true for the backward segment (read after the forward segment's values are kept)
 * @param axisArgument a legacy reduction whose second input is a constant axis, set on the op itself
 * @param helpers      whether libnd4j may run a platform implementation (oneDNN, cuDNN) of the op
 */
record OpNode(DifferentialFunction op, String[] inputs, String[] outputs, boolean backward, boolean axisArgument,
              boolean helpers) {

    /** The op's name as libnd4j knows it ({@code matmul}, {@code tanh_bp}, ...). */
    String name() {
        return op.opName();
    }
}
