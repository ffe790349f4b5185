package org.dl4jnode.samediff.field;

import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.ParameterSource;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A convolutional vector field on {@code [minibatch, channels, height, width]} states (NCHW):
 * {@code conv -> activation -> conv}, both {@code kernel x kernel}, stride 1 and same padding, so f
 * keeps the state's spatial shape: {@code c -> hiddenChannels -> c}.
 *
 * <p>With {@link #timeDependent()} (default true) the time t is fed as one more input channel of the
 * first convolution, constant over the image (zero-padded at the border like every channel). Its
 * kernel is kept apart ({@code Wt}) because that channel's convolution is {@code t conv(1, Wt)}: one
 * small batch-independent map per evaluation instead of a channel concatenated to every example. With
 * {@link #zeroInitLast()} (default false) the second convolution starts at zero, so the ODE block
 * starts as the identity map.
 *
 * <p>Parameters: {@code W0} {@code [k, k, c, hidden]}, {@code Wt} {@code [k, k, 1, hidden]} (time
 * channel) and {@code b0} {@code [hidden]}, {@code W1} {@code [k, k, hidden, c]} and {@code b1}
 * {@code [c]}: kernels in SameDiff's {@code [kH, kW, inChannels, outChannels]} layout, fan-in
 * {@code in k^2} (the time channel counted in the first layer's) and fan-out
 * {@code out k^2} as for DL4J's convolution layers. In a Galerkin layer each becomes a coefficient
 * array with a basis axis in front (a Galerkin convolution).
 *
 * <p>Immutable: the option methods return a modified copy.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE, isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class ConvField implements FieldDefinition {

    private static final long serialVersionUID = 1L;

    /** Key of the kernel of the time channel. */
    public static final String TIME_WEIGHT_KEY = "Wt";

    @JsonProperty("hiddenChannels")
    private final int hiddenChannels;
    @JsonProperty("kernel")
    private final int kernel;
    @JsonProperty("activation")
    private final Activation activation;
    @JsonProperty("timeDependent")
    private final boolean timeDependent;
    @JsonProperty("zeroInitLast")
    private final boolean zeroInitLast;

    @JsonCreator
    public ConvField(@JsonProperty("hiddenChannels") int hiddenChannels, @JsonProperty("kernel") int kernel,
                     @JsonProperty("activation") Activation activation,
                     @JsonProperty("timeDependent") boolean timeDependent,
                     @JsonProperty("zeroInitLast") boolean zeroInitLast) {
        if (hiddenChannels < 1) {
            throw new IllegalArgumentException("conv vector field: hiddenChannels must be >= 1, got " + hiddenChannels);
        }
        if (kernel < 1 || kernel % 2 == 0) {
            throw new IllegalArgumentException("conv vector field: kernel must be odd and >= 1 (same padding keeps "
                    + "the image centred only for odd kernels), got " + kernel);
        }
        this.hiddenChannels = hiddenChannels;
        this.kernel = kernel;
        this.activation = activation == null ? Activation.TANH : activation;
        this.timeDependent = timeDependent;
        this.zeroInitLast = zeroInitLast;
    }

    /** A conv field with these hidden channels and kernel size: tanh, time-dependent, ordinary init. */
    public static ConvField of(int hiddenChannels, int kernel) {
        return new ConvField(hiddenChannels, kernel, Activation.TANH, true, false);
    }

    /** A copy with another activation between the convolutions. */
    public ConvField activation(Activation activation) {
        return new ConvField(hiddenChannels, kernel, Objects.requireNonNull(activation, "activation"), timeDependent,
                zeroInitLast);
    }

    /** A copy that does (true) or does not (false) feed t as an extra input channel. */
    public ConvField timeDependent(boolean timeDependent) {
        return new ConvField(hiddenChannels, kernel, activation, timeDependent, zeroInitLast);
    }

    /** A copy whose last convolution starts at zero (true), so the ODE block starts as the identity. */
    public ConvField zeroInitLast(boolean zeroInitLast) {
        return new ConvField(hiddenChannels, kernel, activation, timeDependent, zeroInitLast);
    }

    public int hiddenChannels() {
        return hiddenChannels;
    }

    public int kernel() {
        return kernel;
    }

    public Activation activation() {
        return activation;
    }

    public boolean timeDependent() {
        return timeDependent;
    }

    public boolean zeroInitLast() {
        return zeroInitLast;
    }

    @Override
    public int stateRank() {
        return 4;
    }

    @Override
    public List<ParamSpec> parameters(long inputChannels, long outputChannels) {
        if (inputChannels < 1 || outputChannels < 1) {
            throw new IllegalArgumentException("conv vector field: input and output channels must be >= 1, got "
                    + inputChannels + " and " + outputChannels);
        }
        long in = inputChannels + (timeDependent ? 1 : 0);
        long area = (long) kernel * kernel;
        long fanIn = in * area;
        long fanOut = hiddenChannels * area;
        List<ParamSpec> specs = new ArrayList<>();
        specs.add(new ParamSpec("W0", new long[] {kernel, kernel, inputChannels, hiddenChannels}, false, false, fanIn,
                fanOut));
        if (timeDependent) {
            specs.add(new ParamSpec(TIME_WEIGHT_KEY, new long[] {kernel, kernel, 1, hiddenChannels}, false, false, fanIn,
                    fanOut));
        }
        specs.add(new ParamSpec("b0", new long[] {hiddenChannels}, true, false, fanIn, fanOut));
        specs.add(new ParamSpec("W1", new long[] {kernel, kernel, hiddenChannels, outputChannels}, false, zeroInitLast,
                hiddenChannels * area, outputChannels * area));
        specs.add(new ParamSpec("b1", new long[] {outputChannels}, true, zeroInitLast, hiddenChannels * area,
                outputChannels * area));
        return specs;
    }

    /**
     * @param t the time: a scalar, or {@code [minibatch, 1]}
     * @param h {@code [minibatch, inputChannels, height, width]}
     * @return {@code [minibatch, outputChannels, height, width]}
     */
    @Override
    public SDVariable define(SameDiff sd, SDVariable t, SDVariable h, ParameterSource params) {
        return define(sd, t, h, null, params).value();
    }

    /** True for the activations the tangent is written for: tanh, sigmoid, ReLU, softplus, identity. */
    @Override
    public boolean hasJacobianProduct() {
        return ActivationTangent.SUPPORTED.contains(activation);
    }

    /** The tangent runs through both convolutions without their biases: f is affine in each layer's input. */
    @Override
    public FieldWithTangent defineWithTangent(SameDiff sd, SDVariable t, SDVariable h, SDVariable v,
                                             ParameterSource params) {
        return define(sd, t, h, v, params);
    }

    /** f, and with a tangent {@code v} (null: none) its product {@code (df/dh) v}. */
    private FieldWithTangent define(SameDiff sd, SDVariable t, SDVariable h, SDVariable v, ParameterSource params) {
        Conv2DConfig config = Conv2DConfig.builder().kH(kernel).kW(kernel).sH(1).sW(1)
                .paddingMode(PaddingMode.SAME).dataFormat(Conv2DConfig.NCHW).weightsFormat(WeightsFormat.YXIO).build();
        SDVariable w0 = params.get("W0", t);
        SDVariable hidden = sd.cnn.conv2d(h, w0, params.get("b0", t), config);
        if (timeDependent) {
            // the time channel's contribution, t conv(1, Wt): [1, hidden, H, W], broadcast over the minibatch
            SDVariable ones = onesImage(sd, h);
            SDVariable timeMap = sd.cnn.conv2d(ones, params.get(TIME_WEIGHT_KEY, t), config);
            hidden = hidden.add(timeMap.mul(t.reshape(-1, 1, 1, 1)));
        }
        SDVariable w1 = params.get("W1", t);
        SDVariable activated = activation.asSameDiff(sd, hidden);
        SDVariable value = sd.cnn.conv2d(activated, w1, params.get("b1", t), config);
        if (v == null) {
            return new FieldWithTangent(value, null);
        }
        SDVariable dHidden = ActivationTangent.apply(sd, activation, hidden, activated, sd.cnn.conv2d(v, w0, config));
        return new FieldWithTangent(value, sd.cnn.conv2d(dHidden, w1, config));
    }

    /**
     * A {@code [1, 1, H, W]} image of ones for the time channel: a constant when h's height and width are known
     * while the graph is built (then it, and with direct parameters the time channel's whole map, is computed once
     * and not differentiated), else made from h (first example, first channel).
     */
    private static SDVariable onesImage(SameDiff sd, SDVariable h) {
        long[] shape = h.getShape();
        if (shape != null && shape.length == 4 && shape[2] > 0 && shape[3] > 0) {
            return sd.constant(Nd4j.ones(h.dataType(), 1, 1, shape[2], shape[3]));
        }
        return h.get(SDIndex.interval(0, 1), SDIndex.interval(0, 1)).mul(0.0).add(1.0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvField c && hiddenChannels == c.hiddenChannels && kernel == c.kernel
                && activation == c.activation && timeDependent == c.timeDependent && zeroInitLast == c.zeroInitLast;
    }

    @Override
    public int hashCode() {
        return Objects.hash(hiddenChannels, kernel, activation, timeDependent, zeroInitLast);
    }

    @Override
    public String toString() {
        return "conv(" + hiddenChannels + ", " + kernel + "x" + kernel + ", " + activation + (timeDependent ? ", t" : "")
                + (zeroInitLast ? ", zero-init last" : "") + ")";
    }
}
