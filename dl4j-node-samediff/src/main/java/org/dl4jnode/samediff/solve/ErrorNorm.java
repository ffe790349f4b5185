package org.dl4jnode.samediff.solve;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

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
     * {@code sqrt(mean((e / (atol + rtol * max(|start|, |end|)))^2))}.
     */
    static ErrorNorm<INDArray> rms(Tolerances tolerances) {
        return (error, start, end) -> {
            INDArray scale = Transforms.max(Transforms.abs(start, true), Transforms.abs(end, true), false)
                    .muli(tolerances.rtol()).addi(tolerances.atol());
            INDArray ratio = error.div(scale);
            return Math.sqrt(ratio.muli(ratio).meanNumber().doubleValue());
        };
    }

    /**
     * The norm {@code grid} controls its steps with: {@link #rms} of an adaptive grid's tolerances;
     * null for a fixed grid, which controls no error.
     */
    static ErrorNorm<INDArray> of(TimeGrid grid) {
        return grid instanceof AdaptiveGrid adaptive ? rms(adaptive.tolerances()) : null;
    }
}
