package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.field.FieldDefinition;
import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.ParameterSource;
import org.dl4jnode.samediff.param.Parameterization;
import org.dl4jnode.samediff.solve.ArrayAlgebra;
import org.dl4jnode.samediff.system.OdeSystem;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A vector field compiled to a SameDiff graph and evaluated eagerly: f(t, h) and its
 * vector-Jacobian products with respect to h, the trainable parameters and, for systems that read it
 * ({@link OdeSystem#readsInput()}), the layer's input.
 *
 * <p>These two calls are all a Java-stepped solver needs: fixed-step backprop, adaptive stepping and
 * the adjoint method are built from them. The graph and SameDiff's gradient graph of it are built
 * once, then replayed op by op ({@link CompiledGraph}) rather than run through a SameDiff session
 * at every call; a graph the replay does not support runs through the session, with the same
 * results. A {@link #tape()} keeps each evaluation's activations so that a backward pass runs only
 * the backward half of the graph.
 *
 * <p>Not thread-safe (neither is a DL4J layer).
 */
public final class FieldFunction {

    static final String TIME = "ode_t";
    static final String STATE = "ode_h";
    static final String COTANGENT = "ode_a";
    static final String INPUT = "ode_x";

    private final SameDiff sd;
    private final List<ParamSpec> trainable;
    private final long[] stateFeatureShape;
    private final DataType dataType;
    private final String output;
    private final List<String> gradientTargets;
    /** Field parameter key -> the graph variable holding its value at the evaluation time. */
    private final Map<String, String> fieldParameters = new HashMap<>();
    private final List<String> fieldParameterOrder;
    private final boolean readsInput;
    private final long[] inputShape;
    private final SameDiff gradientGraph;
    /** Gradient target (state, parameter key, input) -> its gradient variable in the gradient graph; null: none. */
    private final Map<String, String> gradientOf = new HashMap<>();
    /** The gradient of the loss {@code sum(f * a)} with respect to f: the cotangent a itself; null if none. */
    private final String outputGradient;
    private final Map<String, INDArray> boundParams = new HashMap<>();
    /** 'c'-ordered copies of bound parameters given in another layout, reused from bind to bind. */
    private final Map<String, INDArray> cOrderCopies = new HashMap<>();
    private CompiledGraph program;
    private boolean sessionOnly;
    /** Zero gradients of targets f does not depend on, by target and shape. */
    private final Map<String, INDArray> zeroGradients = new HashMap<>();
    private INDArray input;
    private long evaluations;
    private long vjpEvaluations;

    /**
     * A plain field, {@code dh/dt = f(t, h)}.
     *
     * @param field             the vector field
     * @param parameterization  how the field's parameters are stored (direct, Galerkin, ...)
     * @param stateFeatureShape the state's shape without the minibatch dimension, e.g. {@code [d]}
     * @param dataType          floating point type of the state and the parameters
     */
    public FieldFunction(FieldDefinition field, Parameterization parameterization, long[] stateFeatureShape,
                         DataType dataType) {
        this(OdeSystem.of(field, stateFeatureShape.length == 0 ? 0 : stateFeatureShape[0]), parameterization,
                stateFeatureShape, dataType);
    }

    /**
     * The right-hand side of an ODE system (second order, data-controlled, adaptive depth, or plain).
     *
     * @param system            the system; its state size is {@code stateFeatureShape[0]}
     * @param parameterization  how the system's parameters are stored (direct, Galerkin, ...)
     * @param stateFeatureShape the state's shape without the minibatch dimension, e.g. {@code [d]}; the
     *                          layer input, when the system reads it, has the same shape but for
     *                          its first entry, {@link OdeSystem#inputSize()}
     * @param dataType          floating point type of the state and the parameters
     */
    public FieldFunction(OdeSystem system, Parameterization parameterization, long[] stateFeatureShape,
                         DataType dataType) {
        FieldDefinition field = system.field();
        if (stateFeatureShape.length + 1 != field.stateRank()) {
            throw new IllegalArgumentException("field " + field + " takes states of rank " + field.stateRank()
                    + " (minibatch included), got feature shape " + Arrays.toString(stateFeatureShape));
        }
        if (stateFeatureShape[0] != system.stateSize()) {
            throw new IllegalArgumentException(system + " has a state of " + system.stateSize()
                    + " features, got feature shape " + Arrays.toString(stateFeatureShape));
        }
        if (system.hasAdaptiveDepth() && parameterization != Parameterization.DIRECT) {
            throw new IllegalArgumentException("adaptive depth gives every example its own time, so a depth-varying "
                    + "parameterisation (" + parameterization + ") would need weights per example; use direct parameters");
        }
        this.stateFeatureShape = stateFeatureShape.clone();
        this.dataType = dataType;
        this.readsInput = system.readsInput();
        List<ParamSpec> declared = system.parameters();
        this.fieldParameterOrder = declared.stream().map(ParamSpec::key).toList();
        this.trainable = List.copyOf(parameterization.trainable(declared));
        this.sd = SameDiff.create();
        // views into DL4J's flat parameter vector must be accepted as they are
        sd.setArrayHolders(new SingleThreadArrayHolder(), new SingleThreadArrayHolder(), false);
        // SameDiff's session recycles the arrays it allocated through a cache keyed by shape; with it on, an
        // array already handed to the solver (an f value) can be reused as scratch space by a later call of
        // the same shape and change under the solver's feet. Its gradient function runs uncached already.
        sd.setEnableCache(false);

        SDVariable t = sd.placeHolder(TIME, dataType);
        SDVariable h = sd.placeHolder(STATE, dataType, batchShape(stateFeatureShape[0]));
        SDVariable a = sd.placeHolder(COTANGENT, dataType, batchShape(stateFeatureShape[0]));
        this.inputShape = readsInput ? batchShape(system.inputSize()) : null;
        SDVariable x = readsInput ? sd.placeHolder(INPUT, dataType, inputShape) : null;
        Map<String, SDVariable> vars = new LinkedHashMap<>();
        for (ParamSpec p : trainable) {
            vars.put(p.key(), sd.var(p.key(), dataType, p.shape()));
        }
        ParameterSource source = parameterization.source(sd, vars);
        SDVariable f = system.define(sd, t, h, x, (key, time) -> {
            SDVariable value = source.get(key, time);
            fieldParameters.putIfAbsent(key, value.name());
            return value;
        });
        this.output = f.name();
        // <f, a> summed: its gradient is a^T df/dh and a^T df/dtheta, the vector-Jacobian products
        SDVariable inner = f.mul(a).sum();
        sd.setLossVariables(inner);

        this.gradientTargets = new ArrayList<>();
        gradientTargets.add(STATE);
        trainable.forEach(p -> gradientTargets.add(p.key()));
        if (readsInput) {
            gradientTargets.add(INPUT);
        }
        withoutStdout(() -> sd.createGradFunction(STATE));
        this.gradientGraph = sd.getFunction("grad");
        for (String target : gradientTargets) {
            SDVariable g = sd.getVariable(target).getGradient();
            gradientOf.put(target, g == null ? null : g.name());
        }
        SDVariable fGrad = f.getGradient();
        this.outputGradient = fGrad == null ? null : fGrad.name();
    }

    /** {@code [-1, features, spatial...]}: the state's shape with another feature count. */
    private long[] batchShape(long features) {
        long[] shape = new long[stateFeatureShape.length + 1];
        shape[0] = -1;
        System.arraycopy(stateFeatureShape, 0, shape, 1, stateFeatureShape.length);
        shape[1] = features;
        return shape;
    }

    /**
     * SameDiff 1.0.0-M2.1 prints a line per differentiated op to System.out while it builds a
     * gradient graph; a library must not, so that one-time build runs with stdout muted.
     */
    private static synchronized void withoutStdout(Runnable action) {
        PrintStream original = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            action.run();
        } finally {
            System.setOut(original);
        }
    }

    /** The trainable arrays this function reads, in order. */
    public List<ParamSpec> trainable() {
        return trainable;
    }

    public DataType dataType() {
        return dataType;
    }

    /**
     * Binds the trainable arrays by key; they are read, never written. An array already dense in 'c'
     * order (the layout of the states) is read by reference at every later call; any other (such as
     * DL4J's 'f'-ordered parameter views) is copied here into a 'c'-ordered array, so bind again after
     * changing it. The reason is speed: libnd4j runs element-wise ops between arrays of different
     * orderings on a per-element index path several times slower than its contiguous loops.
     * Ops that read only parameters (a Galerkin layer's coefficient reshapes, say) run once per bind,
     * not at every call: bind again after changing a bound array in place.
     */
    public void bind(Map<String, INDArray> params) {
        for (ParamSpec p : trainable) {
            INDArray arr = params.get(p.key());
            if (arr == null) {
                throw new IllegalArgumentException("no array bound for parameter " + p);
            }
            if (!Arrays.equals(arr.shape(), p.shape())) {
                throw new IllegalArgumentException("parameter " + p.key() + " must have shape "
                        + Arrays.toString(p.shape()) + ", got " + Arrays.toString(arr.shape()));
            }
            INDArray read = ArrayAlgebra.isDenseC(arr) && arr.dataType() == dataType ? arr
                    : cOrderCopies.computeIfAbsent(p.key(), k -> Nd4j.createUninitialized(dataType, p.shape(), 'c'))
                    .assign(arr);
            sd.associateArrayWithVariable(read, p.key());
            boundParams.put(p.key(), read);
        }
        if (program != null) {
            // values may have changed in arrays bound before: what reads only parameters is recomputed
            program.parametersChanged();
        }
    }

    /** True when the right-hand side reads the layer's input, to be bound with {@link #bindInput(INDArray)}. */
    public boolean readsInput() {
        return readsInput;
    }

    /**
     * Binds the layer's input x, a constant of the solve, read by every later call (data-controlled
     * and adaptive-depth systems only).
     */
    public void bindInput(INDArray x) {
        if (!readsInput) {
            throw new IllegalStateException("this field does not read the layer's input");
        }
        if (x.rank() != inputShape.length || x.size(1) != inputShape[1]) {
            throw new IllegalArgumentException("the layer input must have shape " + Arrays.toString(inputShape)
                    + " (-1: any minibatch), got " + Arrays.toString(x.shape()));
        }
        this.input = x;
    }

    /** The shape of the bound layer input. */
    public long[] boundInputShape() {
        if (input == null) {
            throw new IllegalStateException("no layer input is bound");
        }
        return input.shape();
    }

    /** f(t, h) as a new array shaped like {@code h}. */
    public INDArray evaluate(double t, INDArray h) {
        Recorded r = record(t, h);
        try {
            return r.value().dup();
        } finally {
            release(r);
        }
    }

    private INDArray sessionEvaluate(double t, INDArray h) {
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(TIME, Nd4j.scalar(dataType, t));
        ph.put(STATE, h);
        putInput(ph);
        return sd.output(ph, output).get(output);
    }

    private void putInput(Map<String, INDArray> ph) {
        if (readsInput) {
            requireInputBound();
            ph.put(INPUT, input);
        }
    }

    /**
     * The vector-Jacobian products of f at (t, h) with the cotangent {@code a}: {@code a^T df/dh}
     * (shaped like h) and {@code a^T df/dtheta} for every trainable array (shaped like it); fresh arrays.
     */
    public Vjp vjp(double t, INDArray h, INDArray a) {
        Recorded r = forward(t, h);
        try {
            return copy(backward(r, a));
        } finally {
            release(r);
        }
    }

    /**
     * f(t, h) and its vector-Jacobian products with {@code a} in one graph execution (the adjoint
     * system needs both at every stage). Counts as one evaluation and one vector-Jacobian product.
     */
    public ValueAndVjp evaluateWithVjp(double t, INDArray h, INDArray a) {
        Recorded r = record(t, h);
        try {
            return new ValueAndVjp(r.value().dup(), copy(backward(r, a)));
        } finally {
            release(r);
        }
    }

    private static Vjp copy(Vjp v) {
        Map<String, INDArray> params = new LinkedHashMap<>();
        v.params().forEach((k, arr) -> params.put(k, arr.dup()));
        return new Vjp(v.state().dup(), params, v.input() == null ? null : v.input().dup());
    }

    /**
     * A new tape: a right-hand side that keeps every evaluation's intermediate values for its
     * vector-Jacobian products, so a backward pass through a solve need not recompute the forward one.
     */
    public EvaluationTape tape() {
        return tape(Long.MAX_VALUE);
    }

    /** A new tape that keeps at most {@code budgetBytes} of intermediate values (see {@link EvaluationTape}). */
    public EvaluationTape tape(long budgetBytes) {
        return new EvaluationTape(this, budgetBytes);
    }

    /** One forward evaluation with what its backward part reads: a planned graph instance, or the point. */
    record Recorded(double t, INDArray h, INDArray value, CompiledGraph.Instance instance) {

        /** Memory this evaluation holds while kept: its instance's forward values, or its value. */
        long bytes() {
            return instance != null ? instance.forwardBytes() : value.length() * value.dataType().width();
        }
    }

    /** A kept forward evaluation f(t, h); its value lives until {@link #release}. */
    Recorded record(double t, INDArray h) {
        evaluations++;
        return forward(t, h);
    }

    /** The forward part, uncounted: a vector-Jacobian product alone runs it too. */
    private Recorded forward(double t, INDArray h) {
        if (!replayable()) {
            return new Recorded(t, h, sessionEvaluate(t, h), null);
        }
        requireInputBound();
        CompiledGraph.Instance in = program.acquire(shapeKey(h), () -> planningInputs(h));
        // placeholders are copied into the instance's own arrays, never rebound: libnd4j keeps the
        // buffer of an OpContext's previous input alive when a new one is set, so rebinding every
        // stage's state would leak a state-sized buffer per evaluation
        in.get(TIME).putScalar(0, t);
        in.get(STATE).assign(h);
        if (readsInput) {
            in.get(INPUT).assign(input);
        }
        boundParams.forEach(in::bind);
        in.runForward();
        return new Recorded(t, h, in.get(output), in);
    }

    /**
     * The vector-Jacobian products at a recorded evaluation. The arrays are the graph's own and are
     * overwritten by the next product of this function: read or copy them before.
     */
    Vjp backward(Recorded r, INDArray a) {
        vjpEvaluations++;
        if (r.instance() == null) {
            return vjpOf(sd.calculateGradients(placeholders(r.t(), r.h(), a), gradientTargets));
        }
        CompiledGraph.Instance in = r.instance();
        in.get(COTANGENT).assign(a);
        in.runBackward();
        Map<String, INDArray> grads = new HashMap<>();
        for (String target : gradientTargets) {
            String g = gradientOf.get(target);
            grads.put(target, g == null ? zeros(target, shapeOf(target, r)) : in.get(g));
        }
        return vjpOf(grads);
    }

    /**
     * Where a call's time goes: every op of the compiled graph timed over {@code repetitions} replays
     * at (t, h) with the cotangent {@code a}, forward segment first. For profiling; empty when the
     * graph is not replayed ({@link #replaysGraph()}).
     */
    public List<OpCost> opCosts(double t, INDArray h, INDArray a, int repetitions) {
        if (!replayable()) {
            return List.of();
        }
        Recorded r = forward(t, h);
        try {
            r.instance().get(COTANGENT).assign(a);
            return r.instance().opCosts(repetitions);
        } finally {
            release(r);
        }
    }

    /** Hands a recorded evaluation's instance back for reuse; its value is invalid afterwards. */
    void release(Recorded r) {
        if (r.instance() != null) {
            program.release(r.instance());
        }
    }

    private INDArray zeros(String target, long[] shape) {
        return zeroGradients.computeIfAbsent(target + Arrays.toString(shape), k -> Nd4j.zeros(dataType, shape));
    }

    private long[] shapeOf(String target, Recorded r) {
        if (STATE.equals(target)) {
            return r.h().shape();
        }
        if (INPUT.equals(target)) {
            return input.shape();
        }
        return boundParams.get(target).shape();
    }

    /**
     * True when calls replay the compiled graph ({@link CompiledGraph}), false when SameDiff's session
     * runs them because the graph has an op the replay does not support. Compiles on first use.
     */
    public boolean replaysGraph() {
        return replayable();
    }

    /** Runs every later call through SameDiff's session: the reference the replay is tested against. */
    void useSessionOnly() {
        sessionOnly = true;
        program = null;
    }

    private boolean replayable() {
        if (program == null && !sessionOnly) {
            List<String> backwardOutputs = new ArrayList<>();
            gradientOf.values().stream().filter(Objects::nonNull).forEach(backwardOutputs::add);
            try {
                // the replay binds the cotangent as f's gradient instead of deriving it from the loss
                Set<String> given = outputGradient == null ? Set.of() : Set.of(outputGradient);
                program = CompiledGraph.compile(gradientGraph, List.of(output), backwardOutputs, given);
            } catch (UnsupportedOperationException e) {
                // the session runs what the replay cannot; slower, equally correct
                sessionOnly = true;
            }
        }
        return !sessionOnly;
    }

    /**
     * The arrays a new instance is planned with: the bound parameters, and its own arrays for the
     * placeholders (a time, a state and an input with the current values, a zero cotangent).
     */
    private Map<String, INDArray> planningInputs(INDArray h) {
        Map<String, INDArray> externals = new HashMap<>(boundParams);
        externals.put(TIME, Nd4j.scalar(dataType, 0.0));
        externals.put(STATE, h.dup('c'));
        INDArray cotangent = Nd4j.zeros(h.dataType(), h.shape());
        externals.put(COTANGENT, cotangent);
        if (outputGradient != null) {
            externals.put(outputGradient, cotangent);
        }
        if (readsInput) {
            externals.put(INPUT, input.dup('c'));
        }
        return externals;
    }

    private String shapeKey(INDArray h) {
        String key = h.dataType() + Arrays.toString(h.shape());
        return readsInput ? key + Arrays.toString(input.shape()) : key;
    }

    private void requireInputBound() {
        if (readsInput && input == null) {
            throw new IllegalStateException("this field reads the layer's input; bind it with bindInput first");
        }
    }

    private Map<String, INDArray> placeholders(double t, INDArray h, INDArray a) {
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(TIME, Nd4j.scalar(dataType, t));
        ph.put(STATE, h);
        ph.put(COTANGENT, a);
        putInput(ph);
        return ph;
    }

    private Vjp vjpOf(Map<String, INDArray> grads) {
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (ParamSpec p : trainable) {
            params.put(p.key(), grads.get(p.key()));
        }
        return new Vjp(grads.get(STATE), params, readsInput ? grads.get(INPUT) : null);
    }

    /**
     * The field's parameters at time t, by the field's keys in declaration order, as the solver sees them: for a
     * depth-varying parameterisation the reconstructed W(t), for a direct one the bound arrays.
     */
    public Map<String, INDArray> fieldParameters(double t) {
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(TIME, Nd4j.scalar(dataType, t));
        Map<String, INDArray> values = sd.output(ph, new ArrayList<>(fieldParameters.values()));
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String key : fieldParameterOrder) {
            out.put(key, values.get(fieldParameters.get(key)).dup());
        }
        return out;
    }

    /** Number of f evaluations since construction or the last {@link #resetCounts()}. */
    public long evaluations() {
        return evaluations;
    }

    /** Number of vector-Jacobian products since construction or the last {@link #resetCounts()}. */
    public long vjpEvaluations() {
        return vjpEvaluations;
    }

    public void resetCounts() {
        evaluations = 0;
        vjpEvaluations = 0;
    }

    /** The state's shape without the minibatch dimension. */
    public long[] stateFeatureShape() {
        return stateFeatureShape.clone();
    }

    /**
     * Vector-Jacobian products of f.
     *
     * @param state  a^T df/dh
     * @param params a^T df/dtheta per trainable key
     * @param input  a^T df/dx for the bound layer input x; null when the field does not read it
     */
    public record Vjp(INDArray state, Map<String, INDArray> params, INDArray input) {
    }

    /**
     * f(t, h) with its vector-Jacobian products at the same point.
     *
     * @param value f(t, h), shaped like h
     * @param vjp   the products with the given cotangent
     */
    public record ValueAndVjp(INDArray value, Vjp vjp) {
    }
}
