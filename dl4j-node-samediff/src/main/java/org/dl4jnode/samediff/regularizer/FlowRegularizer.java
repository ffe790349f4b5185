package org.dl4jnode.samediff.regularizer;

import org.nd4j.shade.jackson.annotation.JsonTypeInfo;
import org.nd4j.shade.jackson.databind.annotation.JsonTypeIdResolver;

import java.io.Serializable;

/**
 * A penalty on the flow of an ODE layer, added to the training score and to its gradient: an
 * integral along the solve ({@link IntegralRegularizer}, riding along as an extra state) or a term
 * at its end ({@link EndpointRegularizer}). Every penalty is its weight times a mean over the
 * minibatch, as DL4J's scores are.
 *
 * <p>Immutable values, written to JSON by logical name ({@code "kineticEnergy"},
 * {@code "jacobianFrobenius"}, {@code "finalStateStability"}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CUSTOM, include = JsonTypeInfo.As.PROPERTY, property = "@class")
@JsonTypeIdResolver(RegularizerTypeIds.class)
public interface FlowRegularizer extends Serializable {

    /** The penalty's weight lambda, finite and >= 0. */
    double weight();

    /** A short name for messages, logs and tables, such as {@code "kineticEnergy"}. */
    String name();

    /** Kinetic energy, {@code lambda * mean integral ||F(t, h)||^2 dt} (Finlay et al. 2020). */
    static KineticEnergy kineticEnergy(double weight) {
        return new KineticEnergy(weight);
    }

    /**
     * The Jacobian's Frobenius norm, {@code lambda * mean integral ||dF/dh||_F^2 dt}, by a Hutchinson
     * estimate (Finlay et al. 2020); probes drawn from seed 0.
     */
    static JacobianFrobenius jacobianFrobenius(double weight) {
        return new JacobianFrobenius(weight, 0L);
    }

    /** Seed 002's stability term (its equation 21), {@code lambda * mean ||F(t1, h(t1))||^2}. */
    static FinalStateStability finalStateStability(double weight) {
        return new FinalStateStability(weight);
    }

    /** The check every regulariser's constructor makes. */
    static double checkWeight(String name, double weight) {
        if (!Double.isFinite(weight) || weight < 0) {
            throw new IllegalArgumentException(name + " regulariser: weight (lambda) must be finite and >= 0, got "
                    + weight);
        }
        return weight;
    }
}
