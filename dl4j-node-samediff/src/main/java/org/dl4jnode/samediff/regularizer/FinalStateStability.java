package org.dl4jnode.samediff.regularizer;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Seed 002's stability regulariser (section 6, equation 21), {@code lambda * mean ||F(t1, h(t1))||^2}:
 * penalises final states that are not fixed points of the field, so that trajectories settle
 * instead of being chaotic near t1.
 */
public final class FinalStateStability extends WeightedRegularizer implements EndpointRegularizer {

    private static final long serialVersionUID = 1L;

    @JsonCreator
    public FinalStateStability(@JsonProperty("weight") double weight) {
        super("finalStateStability", weight);
    }

    @Override
    public double penalty(INDArray rhs) {
        return weight() * rhs.mul(rhs).sumNumber().doubleValue() / rhs.size(0);
    }

    @Override
    public INDArray cotangent(INDArray rhs) {
        return rhs.mul(2 * weight() / rhs.size(0));
    }
}
