package org.dl4jnode.samediff.system;

import org.dl4jnode.samediff.field.FieldDefinition;
import org.dl4jnode.samediff.field.FieldWithTangent;
import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.ParameterSource;
import org.dl4jnode.samediff.regularizer.FlowPoint;
import org.dl4jnode.samediff.regularizer.IntegralRegularizer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The right-hand side {@code dz/dt = F(t, z; x)} of an ODE layer, built from its learned vector field
 * f: the structures of seed 002 (sections 4 and 5) around one field, as graph ops.
 *
 * <ul>
 *   <li><b>Plain</b>: {@code F = f(t, z)}.</li>
 *   <li><b>Second order</b>, selective ({@link Builder#secondOrder(long)}): the state is
 *       {@code z = [q, v]} with {@code q} of size {@code D - p} and the velocities {@code v} of the
 *       first p coordinates of q. Then {@code dq_{1..p}/dt = v}, and f (output size {@code D - p})
 *       gives the remaining first-order derivatives and the accelerations:
 *       {@code F = [v, f(t, z)]}. Full second order is {@code D = 2p}.</li>
 *   <li><b>Data-controlled</b> ({@link Builder#dataControlled(long)}): f also reads the layer's input
 *       x, {@code f(t, [z, x])}.</li>
 *   <li><b>Adaptive depth</b> ({@link Builder#adaptiveDepth(FieldDefinition, long, double)}): each
 *       example runs for its own depth {@code T(x) = |1 + g(x)|}, solved on the fixed reference span
 *       by rescaling time: with {@code tau = t0 + T(x) (s - t0)},
 *       {@code dz/ds = T(x) F(tau, z)}. The field then sees a time of shape {@code [minibatch, 1]}.</li>
 *   <li><b>Integral regularisers</b> ({@link Builder#integrals(List)}): the solve's state gets one
 *       more channel per regulariser, a quadrature {@code q_i} with {@code dq_i/dt = g_i(t, z)}
 *       (summed over features, kept per position), starting at 0; the whole state is
 *       {@code [z, q_1, ..., q_k]} ({@link #solveStateSize()}). When an integrand needs
 *       {@code (dF/dz) eps}, the probe eps (shaped like z) is a constant of the solve after x.</li>
 * </ul>
 *
 * <p>The constants, when used, are one array {@code [x, eps]} ({@link #inputSize()} features), read
 * as the solve's input; their gradient is accumulated like a parameter's. Immutable.
 */
public final class OdeSystem {

    /** Key prefix of the depth network's parameters ({@code depthW0}, {@code depthb0}, ...). */
    public static final String DEPTH_PREFIX = "depth";

    private final FieldDefinition field;
    private final long stateSize;
    private final long velocityDims;
    private final long layerInputSize;
    private final boolean dataControlled;
    private final FieldDefinition depthNetwork;
    private final double depthOrigin;
    private final List<IntegralRegularizer> integrals;
    private final boolean probed;

    private OdeSystem(Builder b) {
        this.field = b.field;
        this.stateSize = b.stateSize;
        this.velocityDims = b.velocityDims;
        this.layerInputSize = b.inputSize;
        this.dataControlled = b.dataControlled;
        this.depthNetwork = b.depthNetwork;
        this.depthOrigin = b.depthOrigin;
        this.integrals = List.copyOf(b.integrals);
        this.probed = integrals.stream().anyMatch(IntegralRegularizer::needsJacobianProbe);
    }

    /** The plain system {@code dz/dt = f(t, z)} on a state of {@code stateSize} features. */
    public static OdeSystem of(FieldDefinition field, long stateSize) {
        return builder(field, stateSize).build();
    }

    public static Builder builder(FieldDefinition field, long stateSize) {
        return new Builder(field, stateSize);
    }

    public FieldDefinition field() {
        return field;
    }

    /** D, the ODE state's size along the feature (channel) axis. */
    public long stateSize() {
        return stateSize;
    }

    /** The integral regularisers whose quadratures ride along, in channel order after the state. */
    public List<IntegralRegularizer> integrals() {
        return integrals;
    }

    /** The solve's state size: D, plus one quadrature channel per integral regulariser. */
    public long solveStateSize() {
        return stateSize + integrals.size();
    }

    /** The size of the layer input x the right-hand side reads; 0 when it reads none. */
    public long layerInputSize() {
        return layerInputSize;
    }

    /** The size of the Jacobian probe the right-hand side reads after x: D when an integrand needs it, else 0. */
    public long probeSize() {
        return probed ? stateSize : 0;
    }

    /** The size of the solve's constants {@code [x, eps]}: {@link #layerInputSize()} + {@link #probeSize()}. */
    public long inputSize() {
        return layerInputSize + probeSize();
    }

    /** True when the right-hand side reads constants: the layer input x (data control, adaptive depth) or a probe. */
    public boolean readsInput() {
        return inputSize() > 0;
    }

    /** True when every example runs for its own depth T(x), so f sees a time per example. */
    public boolean hasAdaptiveDepth() {
        return depthNetwork != null;
    }

    /** p, the number of second-order coordinates (0: first order). */
    public long velocityDims() {
        return velocityDims;
    }

    /** The size of f's input: the state, plus the layer's input when data-controlled. */
    public long fieldInputSize() {
        return stateSize + (dataControlled ? layerInputSize : 0);
    }

    /** The size of f's output: the state less the velocities, whose derivative is not learned. */
    public long fieldOutputSize() {
        return stateSize - velocityDims;
    }

    /** The trainable parameters: the field's, then the depth network's (prefixed {@value #DEPTH_PREFIX}). */
    public List<ParamSpec> parameters() {
        List<ParamSpec> out = new ArrayList<>(field.parameters(fieldInputSize(), fieldOutputSize()));
        if (depthNetwork != null) {
            for (ParamSpec p : depthNetwork.parameters(layerInputSize, 1)) {
                out.add(new ParamSpec(DEPTH_PREFIX + p.key(), p.shape(), p.bias(), p.zeroInit(), p.fanIn(),
                        p.fanOut()));
            }
        }
        return out;
    }

    /**
     * Defines {@code F(t, z; x)} in {@code sd}.
     *
     * @param t         the time, a scalar variable
     * @param state     the solve's state, {@code [minibatch, solveStateSize, ...]}
     * @param constants the constants {@code [x, eps]}, {@code [minibatch, inputSize, ...]}; null when
     *                  {@link #readsInput()} is false
     * @param params    where the parameters come from, by the keys of {@link #parameters()}
     * @return the state's derivative, shaped like it
     */
    public SDVariable define(SameDiff sd, SDVariable t, SDVariable state, SDVariable constants,
                             ParameterSource params) {
        if (readsInput() && constants == null) {
            throw new IllegalArgumentException("this ODE system reads constants (the layer's input or a Jacobian "
                    + "probe); they must not be null");
        }
        SDVariable z = integrals.isEmpty() ? state : channels(state, 0, stateSize);
        SDVariable x = layerInputSize == 0 ? null : probed ? channels(constants, 0, layerInputSize) : constants;
        SDVariable eps = probed ? channels(constants, layerInputSize, layerInputSize + stateSize) : null;
        SDVariable time = t;
        SDVariable depth = null;
        if (depthNetwork != null) {
            depth = defineDepth(sd, t, x, params);
            time = depth.mul(t.sub(depthOrigin)).add(depthOrigin);
        }
        SDVariable in = dataControlled ? sd.concat(1, z, x) : z;
        FieldWithTangent f;
        if (eps == null) {
            f = new FieldWithTangent(field.define(sd, time, in, params), null);
        } else {
            // x is a constant of the flow: its tangent is zero
            SDVariable inTangent = dataControlled ? sd.concat(1, eps, sd.zerosLike(x)) : eps;
            f = field.defineWithTangent(sd, time, in, inTangent, params);
        }
        SDVariable rhs = f.value();
        SDVariable tangent = f.tangent();
        if (velocityDims > 0) {
            rhs = sd.concat(1, channels(z, stateSize - velocityDims, stateSize), rhs);
            tangent = tangent == null ? null
                    : sd.concat(1, channels(eps, stateSize - velocityDims, stateSize), tangent);
        }
        if (depth != null) {
            rhs = rhs.mul(depth);
            tangent = tangent == null ? null : tangent.mul(depth);
        }
        if (integrals.isEmpty()) {
            return rhs;
        }
        FlowPoint point = new FlowPoint(rhs, tangent);
        SDVariable[] parts = new SDVariable[integrals.size() + 1];
        parts[0] = rhs;
        for (int i = 0; i < integrals.size(); i++) {
            parts[i + 1] = integrals.get(i).integrand(sd, point);
        }
        return sd.concat(1, parts);
    }

    /**
     * Defines each example's integration depth {@code T(x) = |1 + g(x)|} in {@code sd}, {@code [minibatch, 1]}.
     *
     * @param t      a scalar time variable (the depth network reads no time; its definition takes one)
     * @param x      the layer input, {@code [minibatch, layerInputSize]}
     * @param params where the parameters come from, by the keys of {@link #parameters()}
     * @throws IllegalStateException when this system has no adaptive depth
     */
    public SDVariable defineDepth(SameDiff sd, SDVariable t, SDVariable x, ParameterSource params) {
        if (depthNetwork == null) {
            throw new IllegalStateException("this ODE system has no adaptive depth, so no depth network");
        }
        SDVariable g = depthNetwork.define(sd, t, x, (key, at) -> params.get(DEPTH_PREFIX + key, at));
        return sd.math.abs(g.add(1.0));
    }

    /** Channels {@code [from, to)} of {@code v} along the feature axis. */
    private static SDVariable channels(SDVariable v, long from, long to) {
        return v.get(SDIndex.all(), SDIndex.interval(from, to));
    }

    @Override
    public String toString() {
        return "OdeSystem{" + field + ", D=" + stateSize + (velocityDims > 0 ? ", second order p=" + velocityDims : "")
                + (dataControlled ? ", data-controlled" : "")
                + (depthNetwork != null ? ", adaptive depth " + depthNetwork : "")
                + (integrals.isEmpty() ? "" : ", integrals " + integrals) + "}";
    }

    /** Options of an {@link OdeSystem}; {@link #build()} checks that they fit together. */
    public static final class Builder {
        private final FieldDefinition field;
        private final long stateSize;
        private long velocityDims;
        private long inputSize;
        private boolean dataControlled;
        private FieldDefinition depthNetwork;
        private double depthOrigin;
        private List<IntegralRegularizer> integrals = List.of();

        private Builder(FieldDefinition field, long stateSize) {
            this.field = Objects.requireNonNull(field, "field");
            this.stateSize = stateSize;
        }

        /** The last p coordinates of the state are the velocities of the first p (1 &lt;= 2p &lt;= D). */
        public Builder secondOrder(long p) {
            this.velocityDims = p;
            return this;
        }

        /** f reads the layer's input x of {@code inputSize} features alongside the state. */
        public Builder dataControlled(long inputSize) {
            this.dataControlled = true;
            return input(inputSize);
        }

        /**
         * Each example integrates for the depth {@code T(x) = |1 + g(x)|}, g being {@code network} on
         * the layer's input (output size 1), time rescaled about {@code t0}.
         */
        public Builder adaptiveDepth(FieldDefinition network, long inputSize, double t0) {
            this.depthNetwork = Objects.requireNonNull(network, "depth network");
            this.depthOrigin = t0;
            return input(inputSize);
        }

        /**
         * Integral regularisers whose integrands ride along the solve as quadrature channels after the
         * state, in this order. Default none.
         */
        public Builder integrals(List<? extends IntegralRegularizer> integrals) {
            this.integrals = List.copyOf(integrals);
            return this;
        }

        private Builder input(long size) {
            if (inputSize != 0 && inputSize != size) {
                throw new IllegalArgumentException("ODE system: the layer input has one size, got " + inputSize
                        + " and " + size);
            }
            this.inputSize = size;
            return this;
        }

        public OdeSystem build() {
            if (stateSize < 1) {
                throw new IllegalArgumentException("ODE system: state size must be >= 1, got " + stateSize);
            }
            if (velocityDims < 0 || 2 * velocityDims > stateSize) {
                throw new IllegalArgumentException("ODE system: second order needs 2p <= D (p velocities of the "
                        + "first p of D - p positions), got p = " + velocityDims + ", D = " + stateSize);
            }
            if ((dataControlled || depthNetwork != null) && inputSize < 1) {
                throw new IllegalArgumentException("ODE system: the layer input size must be >= 1, got " + inputSize);
            }
            for (IntegralRegularizer r : integrals) {
                if (r.needsJacobianProbe() && !field.hasJacobianProduct()) {
                    throw new IllegalArgumentException("ODE system: regulariser " + r + " needs the Jacobian-vector "
                            + "product of the field, which " + field + " does not define");
                }
            }
            if (!Double.isFinite(depthOrigin)) {
                throw new IllegalArgumentException("ODE system: depth origin must be finite, got " + depthOrigin);
            }
            return new OdeSystem(this);
        }
    }
}
