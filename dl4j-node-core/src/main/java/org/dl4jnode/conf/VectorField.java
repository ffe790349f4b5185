package org.dl4jnode.conf;

import org.dl4jnode.samediff.field.ConvField;
import org.dl4jnode.samediff.field.MlpField;

/**
 * Factories for the vector fields f(t, h) of ODE layers.
 *
 * <pre>{@code
 * VectorField.mlp(64)                                   // d -> 64 -> d, tanh, t fed to the field
 * VectorField.mlp(64, 64).activation(Activation.RELU)   // two hidden layers
 * VectorField.mlp(64).zeroInitLast(true)                // the ODE block starts as the identity
 * VectorField.mlp(64).timeDependent(false)              // autonomous field f(h)
 * VectorField.conv(32, 3)                               // images: c -> 32 -> c channels, 3x3 kernels
 * VectorField.cnn(3, 64, 64).kernels(1, 3, 1)           // images: c -> 64 -> 64 -> c, 1x1, 3x3, 1x1 kernels
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

    /**
     * A convolutional field on images {@code [minibatch, channels, height, width]} (NCHW):
     * {@code conv(kernel x kernel) -> tanh -> conv(kernel x kernel)} with same padding, so the layer
     * keeps the image's shape. Defaults: tanh, t fed as a constant extra input channel, ordinary
     * initialisation of the last convolution. In a {@link GalerkinOdeLayer} its kernels and biases
     * are Galerkin coefficients. The layer's input type must be {@code InputType.convolutional} (or
     * {@code convolutionalFlat}); its output type is the same image type. See {@link ConvField}.
     *
     * @throws IllegalArgumentException if hiddenChannels &lt; 1 or the kernel is even or &lt; 1
     */
    public static ConvField conv(int hiddenChannels, int kernel) {
        return ConvField.of(hiddenChannels, kernel);
    }

    /**
     * A convolutional field with any number of hidden layers, {@code c -> h_1 -> ... -> h_k -> c}, on
     * images {@code [minibatch, channels, height, width]} (NCHW): {@code k + 1} convolutions of
     * {@code kernel x kernel} (give one size per convolution with {@link ConvField#kernels(int...)}),
     * same padding, the activation after each but the last. Defaults as for
     * {@link #conv(int, int)}, which is {@code cnn(kernel, hiddenChannels)}.
     *
     * @throws IllegalArgumentException if no hidden layer is given, a channel count is &lt; 1, or the
     *                                  kernel is even or &lt; 1
     */
    public static ConvField cnn(int kernel, int... hiddenChannels) {
        return ConvField.cnn(kernel, hiddenChannels);
    }
}
