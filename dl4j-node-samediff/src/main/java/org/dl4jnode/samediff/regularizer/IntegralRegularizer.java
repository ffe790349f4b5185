package org.dl4jnode.samediff.regularizer;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A penalty {@code lambda * mean over examples of integral g(t, h) dt} over the solve: its integrand
 * g is defined as graph ops and integrated as one more state channel of the solve (a quadrature
 * state starting at 0), so the same steps, adaptive error control and gradient method serve it;
 * no second solve.
 */
public interface IntegralRegularizer extends FlowRegularizer {

    /**
     * The integrand at one point of the flow, summed over the state's features but not over
     * positions: {@code [minibatch, 1]} for vector states, {@code [minibatch, 1, height, width]} for
     * images. The penalty sums it over positions.
     */
    SDVariable integrand(SameDiff sd, FlowPoint point);

    /** True when {@link #integrand} reads {@link FlowPoint#jacobianProbe()}. Default false. */
    default boolean needsJacobianProbe() {
        return false;
    }

    /**
     * The probe eps of one solve, shaped like the state ({@code shape}, minibatch first); asked only of
     * a regulariser that {@link #needsJacobianProbe() needs one}, the same for the same
     * {@code solveIndex}.
     */
    default INDArray jacobianProbe(long[] shape, DataType dataType, long solveIndex) {
        throw new UnsupportedOperationException(this + " reads no Jacobian probe");
    }
}
