package org.dl4jnode.conf;

import org.dl4jnode.samediff.param.ParamSpec;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * How an {@link AugmentedOdeLayer} builds its ODE state from its input x ({@code [minibatch, d]}),
 * after seed 002, section 4.
 *
 * <pre>{@code
 * Augmentation.zeros(4)                               // ANODE: z0 = [x, 0_4]
 * Augmentation.inputLayer(4)                          // IL-NODE: z0 = x W + b, d -> d + 4
 * Augmentation.inputLayer(4).onlyExtraDims()          // z0 = [x, x W + b], W: d -> 4
 * Augmentation.secondOrder()                          // z = [q, v], dq/dt = v, dv/dt = f; v0 = 0
 * Augmentation.secondOrder(2).velocityFromInputLayer() // only q_1, q_2 second order; v0 = x W + b
 * }</pre>
 *
 * <p><b>Second order.</b> The state is {@code [q, v]}: the positions {@code q} are the input (d
 * dims) and {@code v} holds the velocities of the first p of them ({@code secondOrder()}: p = d).
 * The field reads the whole state and outputs {@code d} values: the derivatives of the d - p
 * first-order positions and the p accelerations; {@code dq_{1..p}/dt = v} is not learned.
 *
 * <p>The learned input layer's parameters are {@code liftW} ({@code [d, d + k]}, or {@code [d, k]}
 * when only the extra dims are learned) and {@code liftb} ({@code [1, ...]}), ordinary weights and
 * biases of the layer (never depth-varying). Immutable; the option methods return modified copies.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE, isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class Augmentation implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Key of the input layer's weights. */
    public static final String WEIGHT_KEY = "liftW";
    /** Key of the input layer's bias. */
    public static final String BIAS_KEY = "liftb";

    /** How the extra dims of the initial state are made. */
    public enum Init {
        /** The input, then zeros. */
        ZEROS,
        /** All of the initial state from a learned linear map of the input. */
        INPUT_LAYER,
        /** The input, then a learned linear map of the input. */
        INPUT_LAYER_EXTRA
    }

    /** {@link #extraDims()} of {@link #secondOrder()}: one velocity per input dim. */
    private static final long AS_MANY_AS_INPUTS = -1;

    @JsonProperty("init")
    private final Init init;
    @JsonProperty("extraDims")
    private final long extraDims;
    @JsonProperty("secondOrder")
    private final boolean secondOrder;

    @JsonCreator
    Augmentation(@JsonProperty("init") Init init, @JsonProperty("extraDims") long extraDims,
                 @JsonProperty("secondOrder") boolean secondOrder) {
        this.init = Objects.requireNonNull(init, "init");
        this.extraDims = extraDims;
        this.secondOrder = secondOrder;
    }

    /**
     * ANODE (0-augmentation): the state is {@code [x, 0_k]}. {@code k = 0} is the plain ODE layer.
     *
     * @throws IllegalArgumentException if k &lt; 0
     */
    public static Augmentation zeros(int k) {
        return new Augmentation(Init.ZEROS, requireExtra("zeros", k, 0), false);
    }

    /**
     * IL-NODE: a learned linear map lifts x to {@code d + k} dims, {@code z0 = x W + b}. See
     * {@link #onlyExtraDims()} for the parameter-efficient variant.
     *
     * @throws IllegalArgumentException if k &lt; 0
     */
    public static Augmentation inputLayer(int k) {
        return new Augmentation(Init.INPUT_LAYER, requireExtra("inputLayer", k, 0), false);
    }

    /**
     * A second-order ODE: {@code [q, v]} with one velocity per input dim, starting at zero (see
     * {@link #velocityFromInputLayer()}).
     */
    public static Augmentation secondOrder() {
        return new Augmentation(Init.ZEROS, AS_MANY_AS_INPUTS, true);
    }

    /**
     * A selective second-order ODE: only the first {@code p} input dims are second order (p
     * velocities, starting at zero); the others stay first order. Needs {@code 1 <= p <= d}.
     *
     * @throws IllegalArgumentException if p &lt; 1
     */
    public static Augmentation secondOrder(int p) {
        return new Augmentation(Init.ZEROS, requireExtra("secondOrder", p, 1), true);
    }

    private static long requireExtra(String factory, int k, int min) {
        if (k < min) {
            throw new IllegalArgumentException("Augmentation." + factory + "(" + k + "): the number of "
                    + (factory.equals("secondOrder") ? "second-order dims" : "extra dims") + " must be >= " + min);
        }
        return k;
    }

    /**
     * The input layer's variant that keeps the input as the first d dims of the state and learns only
     * the extra k: {@code z0 = [x, x W + b]}.
     *
     * @throws IllegalStateException unless this is {@link #inputLayer(int)}
     */
    public Augmentation onlyExtraDims() {
        if (init != Init.INPUT_LAYER || secondOrder) {
            throw new IllegalStateException("onlyExtraDims() applies to Augmentation.inputLayer(k), not " + this);
        }
        return new Augmentation(Init.INPUT_LAYER_EXTRA, extraDims, false);
    }

    /**
     * Second order with the initial velocities from a learned linear map of the input,
     * {@code v0 = x W + b}, instead of zero.
     *
     * @throws IllegalStateException unless this is {@link #secondOrder()} or {@link #secondOrder(int)}
     */
    public Augmentation velocityFromInputLayer() {
        if (!secondOrder) {
            throw new IllegalStateException("velocityFromInputLayer() applies to Augmentation.secondOrder(), not "
                    + this);
        }
        return new Augmentation(Init.INPUT_LAYER_EXTRA, extraDims, true);
    }

    public Init init() {
        return init;
    }

    /** The number of dims added to an input of {@code inputSize} (for second order: the velocities). */
    public long extraDims(long inputSize) {
        return extraDims == AS_MANY_AS_INPUTS ? inputSize : extraDims;
    }

    /** The state size for an input of {@code inputSize}. */
    public long stateSize(long inputSize) {
        return inputSize + extraDims(inputSize);
    }

    /** The number of second-order dims (0: first order). */
    public long velocityDims(long inputSize) {
        return secondOrder ? extraDims(inputSize) : 0;
    }

    /** The smallest input size this augmentation accepts: p for {@code secondOrder(p)}, else 1. */
    public long smallestInputSize() {
        return secondOrder && extraDims != AS_MANY_AS_INPUTS ? extraDims : 1;
    }

    /**
     * Checks this augmentation against the layer's input size.
     *
     * @throws IllegalArgumentException naming {@code who}, when p &gt; d for second order
     */
    public void validate(String who, long inputSize) {
        if (secondOrder && extraDims(inputSize) > inputSize) {
            throw new IllegalArgumentException(who + ": secondOrder(" + extraDims + ") makes " + extraDims
                    + " of the input's " + inputSize + " dims second order; p must be <= " + inputSize);
        }
    }

    /** The input layer's parameters for an input of {@code inputSize} (none for zeros). */
    public List<ParamSpec> parameters(long inputSize) {
        long out = switch (init) {
            case ZEROS -> 0;
            case INPUT_LAYER -> stateSize(inputSize);
            case INPUT_LAYER_EXTRA -> extraDims(inputSize);
        };
        if (out == 0) {
            return List.of();
        }
        return List.of(new ParamSpec(WEIGHT_KEY, new long[] {inputSize, out}, false, false, inputSize, out),
                new ParamSpec(BIAS_KEY, new long[] {1, out}, true, false, inputSize, out));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Augmentation a && init == a.init && extraDims == a.extraDims && secondOrder == a.secondOrder;
    }

    @Override
    public int hashCode() {
        return Objects.hash(init, extraDims, secondOrder);
    }

    @Override
    public String toString() {
        String k = extraDims == AS_MANY_AS_INPUTS ? "" : String.valueOf(extraDims);
        if (secondOrder) {
            return "secondOrder(" + k + ")" + (init == Init.INPUT_LAYER_EXTRA ? ".velocityFromInputLayer()" : "");
        }
        return switch (init) {
            case ZEROS -> "zeros(" + k + ")";
            case INPUT_LAYER -> "inputLayer(" + k + ")";
            case INPUT_LAYER_EXTRA -> "inputLayer(" + k + ").onlyExtraDims()";
        };
    }
}
