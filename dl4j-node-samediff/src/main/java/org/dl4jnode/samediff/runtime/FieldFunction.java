package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.field.FieldDefinition;
import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.Parameterization;
import org.dl4jnode.samediff.solve.ArrayAlgebra;
import org.dl4jnode.samediff.solve.ArrayPool;
import org.dl4jnode.samediff.system.OdeSystem;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static org.dl4jnode.samediff.runtime.FieldGraph.COTANGENT;
import static org.dl4jnode.samediff.runtime.FieldGraph.INPUT;
import static org.dl4jnode.samediff.runtime.FieldGraph.STATE;
import static org.dl4jnode.samediff.runtime.FieldGraph.TIME;

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
 * <p>Three pieces: the graph, built once ({@link FieldGraph}); what a solve reads besides its state,
 * an explicit {@link Binding} that {@link #bind} and {@link #bindInput} make and every tape keeps;
 * and this evaluation of it, with its counts of evaluations and products.
 *
 * <p>Not thread-safe (neither is a DL4J layer).
 */
public final class FieldFunction {

    private final FieldGraph graph;
    /** What {@link #evaluate}, {@link #vjp} and new tapes read: the last {@link #bind}/{@link #bindInput}. */
    private Binding current = Binding.EMPTY;
    /** 'c'-ordered copies of bound parameters given in another layout, reused from bind to bind. */
    private final Map<String, INDArray> cOrderCopies = new HashMap<>();
    /** The binding the compiled program's parameter-only ops were last computed from. */
    private Binding programBinding;
    private CompiledGraph program;
    private boolean sessionOnly;
    /** Zero gradients of targets f does not depend on, by target and shape. */
    private final Map<String, INDArray> zeroGradients = new HashMap<>();
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
        this.graph = new FieldGraph(system, parameterization, stateFeatureShape, dataType);
    }

    /** The trainable arrays this function reads, in order. */
    public List<ParamSpec> trainable() {
        return graph.trainable;
    }

    public DataType dataType() {
        return graph.dataType;
    }

    /**
     * Binds the trainable arrays by key; they are read, never written. An array already dense in 'c'
     * order (the layout of the states) is read by reference at every later call; any other (such as
     * DL4J's 'f'-ordered parameter views) is copied here into a 'c'-ordered array, so bind again after
     * changing it. The reason is speed: libnd4j runs element-wise ops between arrays of different
     * orderings on a per-element index path several times slower than its contiguous loops.
     * Ops that read only parameters (a Galerkin layer's coefficient reshapes, say) run once per bind,
     * not at every call: bind again after changing a bound array in place.
     *
     * <p>Makes a new {@link Binding} (with the input bound so far) that later calls and new tapes
     * read; a tape keeps its own. The 'c'-ordered copies are this function's, shared by its bindings:
     * bind other parameter values only once the solves that read the old ones are done.
     */
    public void bind(Map<String, INDArray> params) {
        Map<String, INDArray> read = new HashMap<>();
        for (ParamSpec p : graph.trainable) {
            INDArray arr = params.get(p.key());
            if (arr == null) {
                throw new IllegalArgumentException("no array bound for parameter " + p);
            }
            if (!Arrays.equals(arr.shape(), p.shape())) {
                throw new IllegalArgumentException("parameter " + p.key() + " must have shape "
                        + Arrays.toString(p.shape()) + ", got " + Arrays.toString(arr.shape()));
            }
            // the copies are reused from bind to bind: the compiled graph then keeps reading the same arrays
            // (binding a new array to its ops costs more than the copy)
            read.put(p.key(), ArrayAlgebra.isDenseC(arr) && arr.dataType() == graph.dataType ? arr
                    : cOrderCopies.computeIfAbsent(p.key(), k -> Nd4j.createUninitialized(graph.dataType, p.shape(),
                    'c')).assign(arr));
        }
        current = new Binding(read, current.input());
    }

    /** The binding later calls and new tapes read: the last {@link #bind} and {@link #bindInput}. */
    public Binding binding() {
        return current;
    }

    /** True when the right-hand side reads the layer's input, to be bound with {@link #bindInput(INDArray)}. */
    public boolean readsInput() {
        return graph.readsInput;
    }

    /**
     * Binds the layer's input x, a constant of the solve, read by every later call (data-controlled
     * and adaptive-depth systems only).
     */
    public void bindInput(INDArray x) {
        if (!graph.readsInput) {
            throw new IllegalStateException("this field does not read the layer's input");
        }
        long[] inputShape = graph.inputShape;
        if (x.rank() != inputShape.length || x.size(1) != inputShape[1]) {
            throw new IllegalArgumentException("the layer input must have shape " + Arrays.toString(inputShape)
                    + " (-1: any minibatch), got " + Arrays.toString(x.shape()));
        }
        current = current.withInput(x);
    }

    /** f(t, h) as a new array shaped like {@code h}. */
    public INDArray evaluate(double t, INDArray h) {
        return evaluate(t, h, current);
    }

    /** f(t, h) with {@code binding}, as a new array. */
    INDArray evaluate(double t, INDArray h, Binding binding) {
        Recorded r = record(t, h, binding);
        try {
            return r.value().dup();
        } finally {
            release(r);
        }
    }

    /**
     * The vector-Jacobian products of f at (t, h) with the cotangent {@code a}: {@code a^T df/dh}
     * (shaped like h) and {@code a^T df/dtheta} for every trainable array (shaped like it); fresh arrays.
     */
    public Vjp vjp(double t, INDArray h, INDArray a) {
        return vjp(t, h, a, current);
    }

    /** The vector-Jacobian products with {@code binding}; fresh arrays. */
    Vjp vjp(double t, INDArray h, INDArray a, Binding binding) {
        Recorded r = forward(t, h, binding);
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
        Recorded r = record(t, h, current);
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
        return new EvaluationTape(this, current, budgetBytes, null);
    }

    /** A new tape that keeps at most {@code budgetBytes}, its evaluations past them in {@code pool}'s arrays. */
    public EvaluationTape tape(long budgetBytes, ArrayPool pool) {
        return new EvaluationTape(this, current, budgetBytes, pool);
    }

    /** One forward evaluation with what its backward part reads: a planned graph instance, or the point. */
    record Recorded(double t, INDArray h, INDArray value, CompiledGraph.Instance instance, Binding binding) {

        /** Memory this evaluation holds while kept: its instance's forward values, or its value. */
        long bytes() {
            return instance != null ? instance.forwardBytes() : value.length() * value.dataType().width();
        }
    }

    /** A kept forward evaluation f(t, h) with {@code binding}; its value lives until {@link #release}. */
    Recorded record(double t, INDArray h, Binding binding) {
        evaluations++;
        return forward(t, h, binding);
    }

    /** The forward part, uncounted: a vector-Jacobian product alone runs it too. */
    private Recorded forward(double t, INDArray h, Binding binding) {
        if (!replayable()) {
            return new Recorded(t, h, graph.sessionOutput(t, h, binding), null, binding);
        }
        INDArray input = graph.readsInput ? binding.requireInput() : null;
        if (binding != programBinding) {
            // other values than the ops that read only parameters last saw: recompute those
            program.parametersChanged();
            programBinding = binding;
        }
        CompiledGraph.Instance in = program.acquire(shapeKey(h, input), () -> planningInputs(h, binding));
        // placeholders are copied into the instance's own arrays, never rebound: libnd4j keeps the
        // buffer of an OpContext's previous input alive when a new one is set, so rebinding every
        // stage's state would leak a state-sized buffer per evaluation
        in.get(TIME).putScalar(0, t);
        in.get(STATE).assign(h);
        if (input != null) {
            in.get(INPUT).assign(input);
        }
        binding.params().forEach(in::bind);
        in.runForward();
        return new Recorded(t, h, in.get(graph.output), in, binding);
    }

    /**
     * The vector-Jacobian products at a recorded evaluation. The arrays are the graph's own and are
     * overwritten by the next product of this function: read or copy them before.
     */
    Vjp backward(Recorded r, INDArray a) {
        vjpEvaluations++;
        if (r.instance() == null) {
            return vjpOf(graph.sessionGradients(r.t(), r.h(), a, r.binding()));
        }
        CompiledGraph.Instance in = r.instance();
        in.get(COTANGENT).assign(a);
        in.runBackward();
        Map<String, INDArray> grads = new HashMap<>();
        for (String target : graph.gradientTargets) {
            String g = graph.gradientOf.get(target);
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
        Recorded r = forward(t, h, current);
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
        return zeroGradients.computeIfAbsent(target + Arrays.toString(shape), k -> Nd4j.zeros(graph.dataType, shape));
    }

    private long[] shapeOf(String target, Recorded r) {
        if (STATE.equals(target)) {
            return r.h().shape();
        }
        if (INPUT.equals(target)) {
            return r.binding().requireInput().shape();
        }
        return r.binding().params().get(target).shape();
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
            graph.gradientOf.values().stream().filter(Objects::nonNull).forEach(backwardOutputs::add);
            try {
                // the replay binds the cotangent as f's gradient instead of deriving it from the loss
                Set<String> given = graph.outputGradient == null ? Set.of() : Set.of(graph.outputGradient);
                program = CompiledGraph.compile(graph.gradientGraph, List.of(graph.output), backwardOutputs, given);
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
    private Map<String, INDArray> planningInputs(INDArray h, Binding binding) {
        Map<String, INDArray> externals = new HashMap<>(binding.params());
        externals.put(TIME, Nd4j.scalar(graph.dataType, 0.0));
        externals.put(STATE, h.dup('c'));
        INDArray cotangent = Nd4j.zeros(h.dataType(), h.shape());
        externals.put(COTANGENT, cotangent);
        if (graph.outputGradient != null) {
            externals.put(graph.outputGradient, cotangent);
        }
        if (graph.readsInput) {
            externals.put(INPUT, binding.requireInput().dup('c'));
        }
        return externals;
    }

    private String shapeKey(INDArray h, INDArray input) {
        String key = h.dataType() + Arrays.toString(h.shape());
        return input != null ? key + Arrays.toString(input.shape()) : key;
    }

    private Vjp vjpOf(Map<String, INDArray> grads) {
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (ParamSpec p : graph.trainable) {
            params.put(p.key(), grads.get(p.key()));
        }
        return new Vjp(grads.get(STATE), params, graph.readsInput ? grads.get(INPUT) : null);
    }

    /**
     * The field's parameters at time t, by the field's keys in declaration order, as the solver sees them: for a
     * depth-varying parameterisation the reconstructed W(t), for a direct one the bound arrays.
     */
    public Map<String, INDArray> fieldParameters(double t) {
        return graph.fieldParameters(t, current);
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
        return graph.stateFeatureShape.clone();
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
