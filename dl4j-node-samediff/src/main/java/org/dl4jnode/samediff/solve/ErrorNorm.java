package org.dl4jnode.samediff.solve;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Max;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The scaled size of a local error estimate: at most 1 means the step meets its tolerances.
 *
 * @param <T> the state type
 */
@FunctionalInterface
public interface ErrorNorm<T> {

    /**
     * @param error the local error estimate (or any vector to measure on the state's scale)
     * @param start the state at the start of the step
     * @param end   the state at the end of the step
     */
    double norm(T error, T start, T end);

    /**
     * The mixed RMS norm over every element of the minibatch (one step size serves the batch):
     * {@code sqrt(mean((e / (atol + rtol * max(|start|, |end|)))^2))}. Its two working arrays are
     * allocated and freed at every call; {@link #rms(Tolerances, ArrayPool)} takes them from a pool.
     */
    static ErrorNorm<INDArray> rms(Tolerances tolerances) {
        return rms(tolerances, new ArrayPool(0));
    }

    /**
     * {@link #rms(Tolerances)} with its two state-sized working arrays taken from {@code pool} and given
     * back before it returns.
     */
    static ErrorNorm<INDArray> rms(Tolerances tolerances, ArrayPool pool) {
        return (error, start, end) -> {
            INDArray scale = pool.like(start);
            INDArray ratio = pool.like(error);
            try {
                Nd4j.getExecutioner().exec(new Abs(start, scale));
                Nd4j.getExecutioner().exec(new Abs(end, ratio));
                Nd4j.getExecutioner().exec(new Max(scale, ratio, scale));
                scale.muli(tolerances.rtol()).addi(tolerances.atol());
                Nd4j.getExecutioner().exec(new DivOp(error, scale, ratio));
                // BLAS nrm2 of the dense ratio: sqrt(sum r^2), with no result array
                return Nd4j.getBlasWrapper().level1().nrm2(ratio) / Math.sqrt(ratio.length());
            } finally {
                pool.giveBack(ratio);
                pool.giveBack(scale);
            }
        };
    }

    /**
     * This norm over the first {@code length} elements of flat (1-D) states only: a seminorm, for a
     * state whose tail integrates a quadrature that never feeds back (the adjoint's parameter gradients).
     */
    static ErrorNorm<INDArray> prefix(ErrorNorm<INDArray> norm, long length) {
        return (error, start, end) -> norm.norm(error.get(NDArrayIndex.interval(0, length)),
                start.get(NDArrayIndex.interval(0, length)), end.get(NDArrayIndex.interval(0, length)));
    }

    /**
     * The norm {@code grid} controls its steps with: {@link #rms} of an adaptive grid's tolerances;
     * null for a fixed grid, which controls no error.
     */
    static ErrorNorm<INDArray> of(TimeGrid grid) {
        return grid instanceof AdaptiveGrid adaptive ? rms(adaptive.tolerances()) : null;
    }

    /** {@link #of(TimeGrid)} with its working arrays taken from {@code pool}. */
    static ErrorNorm<INDArray> of(TimeGrid grid, ArrayPool pool) {
        return grid instanceof AdaptiveGrid adaptive ? rms(adaptive.tolerances(), pool) : null;
    }
}
