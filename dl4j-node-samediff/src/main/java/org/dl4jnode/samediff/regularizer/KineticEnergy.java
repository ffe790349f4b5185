package org.dl4jnode.samediff.regularizer;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Kinetic energy, {@code lambda * mean integral ||F(t, h)||^2 dt} ("How to train your neural
 * ODE", Finlay et al. 2020): straighter flows, which adaptive solvers cross in fewer steps. F is the
 * right-hand side the solver integrates (with adaptive depth, the rescaled one).
 */
public final class KineticEnergy extends WeightedRegularizer implements IntegralRegularizer {

    private static final long serialVersionUID = 1L;

    @JsonCreator
    public KineticEnergy(@JsonProperty("weight") double weight) {
        super("kineticEnergy", weight);
    }

    @Override
    public SDVariable integrand(SameDiff sd, FlowPoint point) {
        return point.rhs().mul(point.rhs()).sum(true, 1);
    }
}
