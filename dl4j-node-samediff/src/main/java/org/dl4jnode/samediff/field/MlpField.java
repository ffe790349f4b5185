package org.dl4jnode.samediff.field;

import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.ParameterSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A multilayer perceptron vector field on {@code [minibatch, d]} states: {@code d -> w_1 -> ... -> w_k -> d}
 * (or {@code in -> ... -> out} when the field's input and output sizes differ).
 *
 * <p>Hidden layers apply {@link #activation()} (default tanh, Lipschitz and smooth); the last layer applies
 * {@link #outputActivation()} (default identity: linear). A non-negative output activation (ReLU, sigmoid,
 * softplus) makes every component of f non-negative, so every trajectory can only move one way along each axis
 * (seed 002, section 3, "Mind your activation"). With {@link #timeDependent()} (default true) the time t is fed
 * to the first layer, exactly as if {@code [h, t]} were its input: {@code z_0 = h W0 + t Wt + b0}. With no hidden widths the field
 * is affine, {@code f = h W0 + b0 (+ t Wt)}.
 *
 * <p>Parameters: {@code W<i>} of shape {@code [in, out]}, {@code b<i>} of shape {@code [1, out]} for
 * layer i, and {@code Wt} of shape {@code [1, w_1]} for the time input. With {@link #zeroInitLast()}
 * (default false) the last layer starts at zero, so an ODE block starts as the identity map.
 *
 * <p>Immutable: the option methods return a modified copy.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE, isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class MlpField implements FieldDefinition {

    private static final long serialVersionUID = 1L;

    /** Key of the time weights of the first layer. */
    public static final String TIME_WEIGHT_KEY = "Wt";

    @JsonProperty("hiddenWidths")
    private final int[] hiddenWidths;
    @JsonProperty("activation")
    private final Activation activation;
    @JsonProperty("timeDependent")
    private final boolean timeDependent;
    @JsonProperty("zeroInitLast")
    private final boolean zeroInitLast;
    /** Absent from files written before it existed: they read as identity, the linear last layer they had. */
    @JsonProperty("outputActivation")
    private final Activation outputActivation;

    /** A field with a linear last layer. */
    public MlpField(int[] hiddenWidths, Activation activation, boolean timeDependent, boolean zeroInitLast) {
        this(hiddenWidths, activation, timeDependent, zeroInitLast, Activation.IDENTITY);
    }

    @JsonCreator
    public MlpField(@JsonProperty("hiddenWidths") int[] hiddenWidths,
                    @JsonProperty("activation") Activation activation,
                    @JsonProperty("timeDependent") boolean timeDependent,
                    @JsonProperty("zeroInitLast") boolean zeroInitLast,
                    @JsonProperty("outputActivation") Activation outputActivation) {
        this.hiddenWidths = hiddenWidths == null ? new int[0] : hiddenWidths.clone();
        for (int w : this.hiddenWidths) {
            if (w < 1) {
                throw new IllegalArgumentException("MLP vector field: hidden widths must be >= 1, got "
                        + Arrays.toString(this.hiddenWidths));
            }
        }
        this.activation = activation == null ? Activation.TANH : activation;
        this.timeDependent = timeDependent;
        this.zeroInitLast = zeroInitLast;
        this.outputActivation = outputActivation == null ? Activation.IDENTITY : outputActivation;
    }

    /** An MLP field with the given hidden widths, tanh, time-dependent, ordinary init of the last layer. */
    public static MlpField of(int... hiddenWidths) {
        return new MlpField(hiddenWidths, Activation.TANH, true, false);
    }

    /** A copy with another hidden-layer activation. */
    public MlpField activation(Activation activation) {
        return new MlpField(hiddenWidths, Objects.requireNonNull(activation, "activation"), timeDependent, zeroInitLast,
                outputActivation);
    }

    /** A copy that does (true) or does not (false) feed t to the field. */
    public MlpField timeDependent(boolean timeDependent) {
        return new MlpField(hiddenWidths, activation, timeDependent, zeroInitLast, outputActivation);
    }

    /** A copy whose last layer starts at zero (true), so the ODE block starts as the identity. */
    public MlpField zeroInitLast(boolean zeroInitLast) {
        return new MlpField(hiddenWidths, activation, timeDependent, zeroInitLast, outputActivation);
    }

    /**
     * A copy whose last layer applies {@code activation} (identity: linear, the default), so f itself is
     * {@code activation(z_last)}; with no hidden widths, the only layer's. With {@link #zeroInitLast()} a fresh
     * field is {@code activation(0)}: zero (an identity block) for tanh, ReLU and ELU, not for sigmoid or softplus.
     */
    public MlpField outputActivation(Activation activation) {
        return new MlpField(hiddenWidths, this.activation, timeDependent, zeroInitLast,
                Objects.requireNonNull(activation, "outputActivation"));
    }

    public int[] hiddenWidths() {
        return hiddenWidths.clone();
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

    public Activation outputActivation() {
        return outputActivation;
    }

    @Override
    public int stateRank() {
        return 2;
    }

    @Override
    public List<ParamSpec> parameters(long inputSize, long outputSize) {
        if (inputSize < 1 || outputSize < 1) {
            throw new IllegalArgumentException("MLP vector field: input and output sizes must be >= 1, got "
                    + inputSize + " and " + outputSize);
        }
        long[] widths = LayerSizes.of(inputSize, hiddenWidths, outputSize);
        int layers = widths.length - 1;
        List<ParamSpec> specs = new ArrayList<>();
        long firstFanIn = widths[0] + (timeDependent ? 1 : 0);
        for (int i = 0; i < layers; i++) {
            boolean last = i == layers - 1;
            boolean zero = last && zeroInitLast;
            long fanIn = i == 0 ? firstFanIn : widths[i];
            specs.add(new ParamSpec("W" + i, new long[] {widths[i], widths[i + 1]}, false, zero, fanIn, widths[i + 1]));
            if (i == 0 && timeDependent) {
                specs.add(new ParamSpec(TIME_WEIGHT_KEY, new long[] {1, widths[1]}, false, zero && layers == 1,
                        fanIn, widths[1]));
            }
            specs.add(new ParamSpec("b" + i, new long[] {1, widths[i + 1]}, true, zero, fanIn, widths[i + 1]));
        }
        return specs;
    }

    @Override
    public SDVariable define(SameDiff sd, SDVariable t, SDVariable h, ParameterSource params) {
        return define(sd, t, h, null, params).value();
    }

    /** True for the activations the tangent is written for: tanh, sigmoid, ReLU, softplus, identity. */
    @Override
    public boolean hasJacobianProduct() {
        return (ActivationTangent.SUPPORTED.contains(activation) || hiddenWidths.length == 0)
                && ActivationTangent.SUPPORTED.contains(outputActivation);
    }

    @Override
    public FieldWithTangent defineWithTangent(SameDiff sd, SDVariable t, SDVariable h, SDVariable v,
                                             ParameterSource params) {
        return define(sd, t, h, v, params);
    }

    /** f, and with a tangent {@code v} (null: none) its product {@code (df/dh) v}, layer by layer. */
    private FieldWithTangent define(SameDiff sd, SDVariable t, SDVariable h, SDVariable v, ParameterSource params) {
        int layers = hiddenWidths.length + 1;
        SDVariable x = h;
        SDVariable dx = v;
        for (int i = 0; i < layers; i++) {
            SDVariable w = params.get("W" + i, t);
            SDVariable z = x.mmul(w).add(params.get("b" + i, t));
            if (i == 0 && timeDependent) {
                z = z.add(params.get(TIME_WEIGHT_KEY, t).mul(t));
            }
            SDVariable dz = dx == null ? null : dx.mmul(w);
            Activation act = i < layers - 1 ? activation : outputActivation;
            if (act == Activation.IDENTITY) {
                x = z;
                dx = dz;
            } else {
                x = act.asSameDiff(sd, z);
                dx = dz == null ? null : ActivationTangent.apply(sd, act, z, x, dz);
            }
        }
        return new FieldWithTangent(x, dx);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MlpField m && Arrays.equals(hiddenWidths, m.hiddenWidths) && activation == m.activation
                && timeDependent == m.timeDependent && zeroInitLast == m.zeroInitLast
                && outputActivation == m.outputActivation;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(hiddenWidths), activation, timeDependent, zeroInitLast, outputActivation);
    }

    @Override
    public String toString() {
        return "mlp" + Arrays.toString(hiddenWidths) + "(" + activation + (timeDependent ? ", t" : "")
                + (zeroInitLast ? ", zero-init last" : "")
                + (outputActivation == Activation.IDENTITY ? "" : ", output " + outputActivation) + ")";
    }
}
