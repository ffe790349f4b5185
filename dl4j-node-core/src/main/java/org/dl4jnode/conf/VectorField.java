package org.dl4jnode.conf;

import org.dl4jnode.samediff.field.MlpField;

/**
 * Factories for the vector fields f(t, h) of ODE layers.
 *
 * <pre>{@code
 * VectorField.mlp(64)                                   // d -> 64 -> d, tanh, t fed to the field
 * VectorField.mlp(64, 64).activation(Activation.RELU)   // two hidden layers
 * VectorField.mlp(64).zeroInitLast(true)                // the ODE block starts as the identity
 * VectorField.mlp(64).timeDependent(false)              // autonomous field f(h)
 * }</pre>
 */
public final class VectorField {

    private VectorField() {
    }

    /**
     * A multilayer perceptron field on feed-forward states {@code [minibatch, d]} with the given
     * hidden widths (none: an affine field {@code h W + b}). Defaults: tanh hidden activations,
     * time-dependent, ordinary initialisation of the last layer. See {@link MlpField}.
     *
     * @throws IllegalArgumentException if a width is &lt; 1
     */
    public static MlpField mlp(int... hiddenWidths) {
        return MlpField.of(hiddenWidths);
    }
}
