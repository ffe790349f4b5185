package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.solve.TimeGrid;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * How the gradients of a {@link Solution} are computed, as diffrax's {@code adjoint} argument:
 * {@link #backprop()}, the exact reverse of the recorded steps, or {@link #adjoint}, the continuous
 * adjoint solved backwards from each output.
 */
public interface GradientMethod {

    /** Whether the forward solve must keep every step and its evaluations for {@link #backward}. */
    boolean keepsSteps();

    /**
     * The backward pass of {@code forward}.
     *
     * @param outputBars the cotangents of the solution's outputs, one per segment end, in order
     * @throws SolveFailure when a backward solve cannot finish
     */
    Gradients backward(Solution forward, List<INDArray> outputBars);

    /** Reverse-mode through the recorded steps ({@link DiscreteBackprop}): the discrete solve's exact gradient. */
    static GradientMethod backprop() {
        return new Backprop();
    }

    /**
     * The continuous adjoint ({@link AdjointSolve}): memory that does not grow with the steps, a
     * gradient accurate to the solves' error.
     *
     * @param backwards the backward grid of each forward segment (its reverse, with the adjoint's
     *                  tolerances)
     */
    static GradientMethod adjoint(UnaryOperator<TimeGrid> backwards) {
        return new Adjoint(backwards, false);
    }

    /**
     * The continuous adjoint whose adaptive backward solves control the error of the state and its
     * cotangent only, not of the parameter gradients (a seminorm: Kidger, Chen and Lyons 2021).
     */
    static GradientMethod adjointWithSeminorm(UnaryOperator<TimeGrid> backwards) {
        return new Adjoint(backwards, true);
    }

    /**
     * Backprop with a memory budget ({@link Checkpointed}): the forward solve keeps a state every K
     * steps, K chosen from {@code budgetBytes}, and the backward pass replays the steps between them;
     * the same gradient as {@link #backprop()}, bit for bit, for about one more forward solve.
     */
    static GradientMethod checkpointed(long budgetBytes) {
        return new Checkpointed(budgetBytes);
    }
}
