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
public final class KineticEnergy implements IntegralRegularizer {

    private static final long serialVersionUID = 1L;

    @JsonProperty("weight")
    private final double weight;

    @JsonCreator
    public KineticEnergy(@JsonProperty("weight") double weight) {
        this.weight = FlowRegularizer.checkWeight(name(), weight);
    }

    @Override
    public double weight() {
        return weight;
    }

    @Override
    public String name() {
        return "kineticEnergy";
    }

    @Override
    public SDVariable integrand(SameDiff sd, FlowPoint point) {
        return point.rhs().mul(point.rhs()).sum(true, 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KineticEnergy k && Double.compare(weight, k.weight) == 0;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(weight);
    }

    @Override
    public String toString() {
        return name() + "(" + weight + ")";
    }
}
