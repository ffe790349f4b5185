package org.dl4jnode.samediff.field;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;

import java.util.EnumSet;
import java.util.Set;

/**
 * The derivative of a hidden-layer activation as ordinary graph ops, for a field's
 * Jacobian-vector product ({@link FieldDefinition#defineWithTangent}): written with ops SameDiff
 * differentiates again, so a penalty on the product can be trained.
 */
final class ActivationTangent {

    /** The activations whose derivative is written here. */
    static final Set<Activation> SUPPORTED = EnumSet.of(Activation.TANH, Activation.SIGMOID, Activation.RELU,
            Activation.IDENTITY, Activation.SOFTPLUS);

    private ActivationTangent() {
    }

    /**
     * {@code act'(pre) * v}.
     *
     * @param pre the pre-activation
     * @param out the activation's output, {@code act(pre)} (tanh and sigmoid read their derivative from it)
     * @param v   the tangent of {@code pre}
     */
    static SDVariable apply(SameDiff sd, Activation act, SDVariable pre, SDVariable out, SDVariable v) {
        switch (act) {
            case TANH:
                return v.mul(out.mul(out).rsub(1.0));
            case SIGMOID:
                return v.mul(out.mul(out.rsub(1.0)));
            case RELU:
                return v.mul(sd.math.step(pre, 0.0));
            case SOFTPLUS:
                return v.mul(sd.nn.sigmoid(pre));
            case IDENTITY:
                return v;
            default:
                throw new UnsupportedOperationException("no Jacobian-vector product for activation " + act
                        + "; supported: " + SUPPORTED);
        }
    }
}
