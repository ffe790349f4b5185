package org.dl4jnode.samediff.runtime;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Rewrites that only an instance's shapes allow, planned when a {@link GraphInstance} is: an op replaced
 * by a view or an alias of arrays it already has, or by a cheaper op. {@link GraphRewrite} rewrites the
 * graph's ops before any shape is known; these come after.
 */
final class InstanceRewrites {

    private InstanceRewrites() {
    }

    /**
     * The output of a 'c'-order reshape as a view of its input, when the input is an op's output or an alias
     * of one (so it is never rebound) and dense: the view then always holds what the op would copy. Null
     * otherwise.
     *
     * @param rebindable whether the reshape's input is one the caller may rebind
     */
    static INDArray reshapedView(SameDiff graph, OpNode node, INDArray[] args, List<LongShapeDescriptor> shapes,
                                 boolean rebindable) {
        if (!"reshape".equals(node.name()) || args.length < 1 || shapes.size() != 1 || rebindable) {
            return null;
        }
        long[] iArgs = ((DynamicCustomOp) node.op()).iArgs();
        boolean cOrder = iArgs.length == 0 || iArgs[0] != -'f';
        INDArray in = args[0];
        LongShapeDescriptor shape = shapes.get(0);
        // dense from its buffer's start: an op's own output, or an alias of one that is itself a view
        boolean dense = in.ordering() == 'c' && in.elementWiseStride() == 1 && in.offset() == 0;
        if (!cOrder || !dense || in.dataType() != shape.dataType()
                || graph.getVariable(node.outputs()[0]).dataType() != in.dataType()) {
            return null;
        }
        INDArray view = in.reshape('c', shape.getShape());
        boolean shares = view.data().address() == in.data().address() && view.offset() == 0;
        return shares ? view : null;
    }

    /**
     * {@code add_bp} (the gradients of {@code z = x + y} from z's) without copies: a gradient shaped like
     * z's is z's array itself, and the other, when it is broadcast, is z's gradient summed over the
     * broadcast axes.
     *
     * @param broadcast the output that is a sum (-1: none, both outputs are z's gradient)
     * @param sum       the op computing it, {@code reduce_sum}, or for the rows of a matrix a product with
     *                  a row of ones; null when {@code broadcast} is -1
     * @param context   {@code sum}'s context, its inputs set; its output is the instance's to set
     */
    record AddGradient(int broadcast, DynamicCustomOp sum, OpContext context) {

        /**
         * The plan for {@code add_bp} op {@code node}, or null when the op runs as it is (both broadcast,
         * other ranks, or z's gradient is an input the caller may rebind).
         *
         * @param rebindable whether z's gradient, the op's third input, is one the caller may rebind
         */
        static AddGradient plan(OpNode node, INDArray[] args, List<LongShapeDescriptor> shapes, boolean rebindable) {
            if (!"add_bp".equals(node.name()) || args.length != 3 || shapes.size() != 2 || rebindable) {
                return null;
            }
            INDArray eps = args[2];
            int broadcast = -1;
            for (int i = 0; i < 2; i++) {
                LongShapeDescriptor shape = shapes.get(i);
                boolean same = Arrays.equals(shape.getShape(), eps.shape()) && shape.dataType() == eps.dataType();
                if (!same) {
                    if (broadcast >= 0) {
                        return null;
                    }
                    broadcast = i;
                }
            }
            if (broadcast < 0) {
                return new AddGradient(-1, null, null);
            }
            long[] target = shapes.get(broadcast).getShape();
            if (target.length != eps.rank()) {
                return null;
            }
            List<Long> axes = new ArrayList<>();
            for (int d = 0; d < target.length; d++) {
                if (target[d] == 1 && eps.size(d) != 1) {
                    axes.add((long) d);
                } else if (target[d] != eps.size(d)) {
                    return null;
                }
            }
            DynamicCustomOp op;
            INDArray[] inputs;
            if (eps.rank() == 2 && axes.equals(List.of(0L))) {
                // column sums as a product with a row of ones: the BLAS path, several times faster than
                // libnd4j's reduction along the strided axis
                op = DynamicCustomOp.builder("matmul").addIntegerArguments(0, 0, 0).build();
                inputs = new INDArray[] {Nd4j.ones(eps.dataType(), 1, eps.size(0)), eps};
            } else {
                op = DynamicCustomOp.builder("reduce_sum")
                        .addIntegerArguments(axes.stream().mapToInt(Long::intValue).toArray())
                        .addBooleanArguments(true).build();
                inputs = new INDArray[] {eps};
            }
            OpContext reduction = Nd4j.getExecutioner().buildContext();
            reduction.allowHelpers(false);
            reduction.setArgs(inputs, op.iArgs(), op.dArgs(), op.tArgs(), op.bArgs());
            List<LongShapeDescriptor> reduced = op.calculateOutputShape(reduction);
            if (reduced.size() != 1 || !Arrays.equals(reduced.get(0).getShape(), target)) {
                return null;
            }
            return new AddGradient(broadcast, op, reduction);
        }
    }
}
