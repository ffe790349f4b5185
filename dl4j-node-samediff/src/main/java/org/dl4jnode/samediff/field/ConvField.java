package org.dl4jnode.samediff.field;

import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.ParameterSource;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonFormat;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A convolutional vector field on {@code [minibatch, channels, height, width]} states (NCHW): a CNN
 * {@code c -> h_1 -> ... -> h_k -> c} of {@code k + 1} convolutions with stride 1 and same padding, the
 * activation after each but the last, so f keeps the state's spatial shape. {@link #of(int, int)} is
 * the one-hidden-layer field {@code conv -> activation -> conv}; {@link #cnn(int, int...)} any depth,
 * e.g. {@code cnn(3, 64, 64).kernels(1, 3, 1)}, the 3-layer field of the augmented-ODE MNIST studies.
 *
 * <p>With {@link #timeDependent()} (default true) the time t is fed as one more input channel of the
 * first convolution, constant over the image (zero-padded at the border like every channel). Its
 * kernel is kept apart ({@code Wt}) because that channel's convolution is {@code t conv(1, Wt)}: one
 * small batch-independent map per evaluation instead of a channel concatenated to every example. With
 * {@link #zeroInitLast()} (default false) the last convolution starts at zero, so the ODE block
 * starts as the identity map.
 *
 * <p>Parameters, for convolution i = 0..k: {@code W<i>} {@code [k_i, k_i, in_i, out_i]} and
 * {@code b<i>} {@code [out_i]}, plus {@code Wt} {@code [k_0, k_0, 1, h_1]} for the time channel:
 * kernels in SameDiff's {@code [kH, kW, inChannels, outChannels]} layout, fan-in {@code in k^2} (the
 * time channel counted in the first layer's) and fan-out {@code out k^2} as for DL4J's convolution
 * layers. In a Galerkin layer each becomes a coefficient array with a basis axis in front (a Galerkin
 * convolution). The one-hidden-layer field's parameters and JSON are those of earlier versions.
 *
 * <p>Immutable: the option methods return a modified copy.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE, isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class ConvField implements FieldDefinition {

    private static final long serialVersionUID = 2L;

    /** Key of the kernel of the time channel. */
    public static final String TIME_WEIGHT_KEY = "Wt";

    // one hidden layer is written as a number, as before several were possible, so older readers still read it
    @JsonProperty("hiddenChannels")
    @JsonFormat(with = JsonFormat.Feature.WRITE_SINGLE_ELEM_ARRAYS_UNWRAPPED)
    private final int[] hiddenChannels;
    /** One kernel size per convolution: {@code hiddenChannels.length + 1} of them. */
    @JsonProperty("kernels")
    private final int[] kernels;
    @JsonProperty("activation")
    private final Activation activation;
    @JsonProperty("timeDependent")
    private final boolean timeDependent;
    @JsonProperty("zeroInitLast")
    private final boolean zeroInitLast;

    /**
     * @param hiddenChannels the hidden layers' channels, at least one
     * @param kernels        one odd kernel size per convolution, or a single one for all of them
     * @param kernel         for JSON written before {@code kernels} existed: the one kernel size of every
     *                       convolution (ignored when {@code kernels} is given)
     */
    @JsonCreator
    public ConvField(@JsonProperty("hiddenChannels") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                     int[] hiddenChannels,
                     @JsonProperty("kernels") int[] kernels,
                     @JsonProperty("kernel") Integer kernel,
                     @JsonProperty("activation") Activation activation,
                     @JsonProperty("timeDependent") boolean timeDependent,
                     @JsonProperty("zeroInitLast") boolean zeroInitLast) {
        if (hiddenChannels == null || hiddenChannels.length == 0) {
            throw new IllegalArgumentException("conv vector field: give at least one hidden layer's channels, got "
                    + Arrays.toString(hiddenChannels));
        }
        for (int c : hiddenChannels) {
            if (c < 1) {
                throw new IllegalArgumentException("conv vector field: hidden channels must be >= 1, got "
                        + Arrays.toString(hiddenChannels));
            }
        }
        this.hiddenChannels = hiddenChannels.clone();
        this.kernels = perConvolution(kernels != null ? kernels : kernel == null ? null : new int[] {kernel},
                hiddenChannels.length + 1);
        this.activation = activation == null ? Activation.TANH : activation;
        this.timeDependent = timeDependent;
        this.zeroInitLast = zeroInitLast;
    }

    private static int[] perConvolution(int[] kernels, int convolutions) {
        if (kernels == null || (kernels.length != 1 && kernels.length != convolutions)) {
            throw new IllegalArgumentException("conv vector field: give one kernel size, or one per convolution ("
                    + convolutions + "), got " + Arrays.toString(kernels));
        }
        for (int k : kernels) {
            if (k < 1 || k % 2 == 0) {
                throw new IllegalArgumentException("conv vector field: kernel sizes must be odd and >= 1 (same "
                        + "padding keeps the image centred only for odd kernels), got " + Arrays.toString(kernels));
            }
        }
        if (kernels.length == convolutions) {
            return kernels.clone();
        }
        int[] all = new int[convolutions];
        Arrays.fill(all, kernels[0]);
        return all;
    }

    /**
     * A conv field {@code c -> hiddenChannels -> c} with {@code kernel x kernel} convolutions: tanh,
     * time-dependent, ordinary init.
     */
    public static ConvField of(int hiddenChannels, int kernel) {
        return cnn(kernel, hiddenChannels);
    }

    /**
     * A CNN field {@code c -> h_1 -> ... -> h_k -> c} with {@code kernel x kernel} convolutions (see
     * {@link #kernels(int...)} for one size per convolution): tanh, time-dependent, ordinary init.
     */
    public static ConvField cnn(int kernel, int... hiddenChannels) {
        return new ConvField(hiddenChannels, new int[] {kernel}, null, Activation.TANH, true, false);
    }

    /** A copy with one kernel size per convolution (hidden layers + 1 of them), or one for all. */
    public ConvField kernels(int... kernels) {
        return new ConvField(hiddenChannels, Objects.requireNonNull(kernels, "kernels"), null, activation,
                timeDependent, zeroInitLast);
    }

    /** A copy with another activation after each hidden convolution. */
    public ConvField activation(Activation activation) {
        return new ConvField(hiddenChannels, kernels, null, Objects.requireNonNull(activation, "activation"),
                timeDependent, zeroInitLast);
    }

    /** A copy that does (true) or does not (false) feed t as an extra input channel. */
    public ConvField timeDependent(boolean timeDependent) {
        return new ConvField(hiddenChannels, kernels, null, activation, timeDependent, zeroInitLast);
    }

    /** A copy whose last convolution starts at zero (true), so the ODE block starts as the identity. */
    public ConvField zeroInitLast(boolean zeroInitLast) {
        return new ConvField(hiddenChannels, kernels, null, activation, timeDependent, zeroInitLast);
    }

    /** The hidden layers' channels. */
    public int[] hiddenChannels() {
        return hiddenChannels.clone();
    }

    /** The kernel size of each convolution, first to last. */
    public int[] kernels() {
        return kernels.clone();
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
        long[] channels = LayerSizes.of(inputChannels, hiddenChannels, outputChannels);
        List<ParamSpec> specs = new ArrayList<>();
        for (int i = 0; i < kernels.length; i++) {
            long area = (long) kernels[i] * kernels[i];
            long in = channels[i] + (i == 0 && timeDependent ? 1 : 0);
            long out = channels[i + 1];
            boolean zero = zeroInitLast && i == kernels.length - 1;
            specs.add(new ParamSpec("W" + i, new long[] {kernels[i], kernels[i], channels[i], out}, false, zero,
                    in * area, out * area));
            if (i == 0 && timeDependent) {
                specs.add(new ParamSpec(TIME_WEIGHT_KEY, new long[] {kernels[0], kernels[0], 1, out}, false, false,
                        in * area, out * area));
            }
            specs.add(new ParamSpec("b" + i, new long[] {out}, true, zero, in * area, out * area));
        }
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

    /** The tangent runs through the convolutions without their biases: f is affine in each layer's input. */
    @Override
    public FieldWithTangent defineWithTangent(SameDiff sd, SDVariable t, SDVariable h, SDVariable v,
                                             ParameterSource params) {
        return define(sd, t, h, v, params);
    }

    /** f, and with a tangent {@code v} (null: none) its product {@code (df/dh) v}, layer by layer. */
    private FieldWithTangent define(SameDiff sd, SDVariable t, SDVariable h, SDVariable v, ParameterSource params) {
        SDVariable x = h;
        SDVariable dx = v;
        for (int i = 0; i < kernels.length; i++) {
            Conv2DConfig config = config(kernels[i]);
            SDVariable w = params.get("W" + i, t);
            SDVariable z = sd.cnn.conv2d(x, w, params.get("b" + i, t), config);
            if (i == 0 && timeDependent) {
                z = plusTimeChannel(sd, z, t, h, params.get(TIME_WEIGHT_KEY, t), hiddenChannels[0], config);
            }
            SDVariable dz = dx == null ? null : sd.cnn.conv2d(dx, w, config);
            if (i < kernels.length - 1) {
                x = activation.asSameDiff(sd, z);
                dx = dz == null ? null : ActivationTangent.apply(sd, activation, z, x, dz);
            } else {
                x = z;
                dx = dz;
            }
        }
        return new FieldWithTangent(x, dx);
    }

    private static Conv2DConfig config(int kernel) {
        return Conv2DConfig.builder().kH(kernel).kW(kernel).sH(1).sW(1).paddingMode(PaddingMode.SAME)
                .dataFormat(Conv2DConfig.NCHW).weightsFormat(WeightsFormat.YXIO).build();
    }

    /**
     * {@code z + t conv(1, Wt)}, the time channel's contribution to the first convolution, {@code z} and the
     * result {@code [minibatch, channels, H, W]}.
     *
     * <p>When h's height and width are known while the graph is built, {@code conv(1, Wt)} is written as the
     * product {@code Wt^T M} of the kernel, as {@code [k^2, channels]}, with a constant {@code [k^2, H W]} matrix
     * M whose row per kernel tap marks the pixels where that tap lands inside the image ({@link #insideTaps});
     * and the sum broadcasts over the minibatch on {@code [minibatch, channels H W]} views. Same values; the
     * reason is speed: a small product and its gradient cost a few microseconds where a convolution call on a
     * one-channel image and its gradient cost hundreds, and libnd4j's broadcast along the first axis of a
     * matrix is about ten times faster than the same broadcast on rank-4 arrays.
     */
    private static SDVariable plusTimeChannel(SameDiff sd, SDVariable z, SDVariable t, SDVariable h, SDVariable wt,
                                              long channels, Conv2DConfig config) {
        long[] shape = h.getShape();
        if (shape == null || shape.length != 4 || shape[2] <= 0 || shape[3] <= 0) {
            SDVariable timeMap = sd.cnn.conv2d(onesImage(h), wt, config);
            return z.add(timeMap.mul(t.reshape(-1, 1, 1, 1)));
        }
        long height = shape[2];
        long width = shape[3];
        long kernel = config.getKH();
        long size = channels * height * width;
        SDVariable taps = sd.constant(insideTaps(h.dataType(), kernel, height, width, config));
        SDVariable timeMap = sd.mmul(wt.reshape(kernel * kernel, channels), taps, true, false, false)
                .reshape(1, size);
        // t, a scalar or [minibatch, 1], broadcasts against [1, size] as it is
        return z.reshape(-1, size).add(timeMap.mul(t)).reshape(-1, channels, height, width);
    }

    /**
     * The {@code [k^2, H W]} matrix whose entry (tap, pixel) is 1 when kernel tap {@code tap} (row-major over
     * the {@code k x k} kernel) lands inside the image at {@code pixel}, else 0: the convolution of a ones
     * image with one one-hot kernel per tap, so the padding is the convolution's own.
     */
    private static INDArray insideTaps(DataType type, long kernel, long height, long width, Conv2DConfig config) {
        long area = kernel * kernel;
        INDArray ones = Nd4j.ones(type, 1, 1, height, width);
        INDArray oneHot = Nd4j.eye(area).castTo(type).reshape(kernel, kernel, 1, area);
        INDArray out = Nd4j.create(type, 1, area, height, width);
        Nd4j.exec(new Conv2D(ones, oneHot, null, out, config));
        return out.reshape(area, height * width);
    }

    /** A {@code [1, 1, H, W]} image of ones made from h (first example, first channel), for h of unknown size. */
    private static SDVariable onesImage(SDVariable h) {
        return h.get(SDIndex.interval(0, 1), SDIndex.interval(0, 1)).mul(0.0).add(1.0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvField c && Arrays.equals(hiddenChannels, c.hiddenChannels)
                && Arrays.equals(kernels, c.kernels) && activation == c.activation && timeDependent == c.timeDependent
                && zeroInitLast == c.zeroInitLast;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(hiddenChannels), Arrays.hashCode(kernels), activation, timeDependent,
                zeroInitLast);
    }

    @Override
    public String toString() {
        boolean uniform = Arrays.stream(kernels).allMatch(k -> k == kernels[0]);
        String sizes = uniform ? kernels[0] + "x" + kernels[0] : "kernels " + Arrays.toString(kernels);
        String hidden = hiddenChannels.length == 1 ? String.valueOf(hiddenChannels[0]) : Arrays.toString(hiddenChannels);
        return "conv(" + hidden + ", " + sizes + ", " + activation + (timeDependent ? ", t" : "")
                + (zeroInitLast ? ", zero-init last" : "") + ")";
    }
}
