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

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.dl4jnode.samediff.runtime.FieldGraph.INPUT;
import static org.dl4jnode.samediff.runtime.FieldGraph.STATE;

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
 * <p>Four pieces: the graph, built once ({@link FieldGraph}); how its evaluations run, replayed or
 * through the session ({@link FieldProgram}); what a solve reads besides its state, an explicit
 * {@link Binding} that {@link #bind} and {@link #bindInput} make and every tape keeps; and this
 * function, the calls with their counts of evaluations and products.
 *
 * <p>Not thread-safe (neither is a DL4J layer).
 */
public final class FieldFunction {

    private final FieldGraph graph;
    /** What {@link #evaluate}, {@link #vjp} and new tapes read: the last {@link #bind}/{@link #bindInput}. */
    private Binding current = Binding.EMPTY;
    /** 'c'-ordered copies of bound parameters given in another layout, reused from bind to bind. */
    private final Map<String, INDArray> cOrderCopies = new HashMap<>();
    /** How evaluations run: the compiled replay, or SameDiff's session. */
    private final FieldProgram program;
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
        this.program = new FieldProgram(graph);
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
        Recorded r = program.forward(t, h, binding);
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
    record Recorded(double t, INDArray h, INDArray value, GraphInstance instance, Binding binding) {

        /** Memory this evaluation holds while kept: its instance's forward values, or its value. */
        long bytes() {
            return instance != null ? instance.forwardBytes() : value.length() * value.dataType().width();
        }
    }

    /** A kept forward evaluation f(t, h) with {@code binding}; its value lives until {@link #release}. */
    Recorded record(double t, INDArray h, Binding binding) {
        evaluations++;
        return program.forward(t, h, binding);
    }

    /**
     * The vector-Jacobian products at a recorded evaluation. The arrays are the graph's own and are
     * overwritten by the next product of this function: read or copy them before.
     */
    Vjp backward(Recorded r, INDArray a) {
        vjpEvaluations++;
        return vjpOf(program.gradients(r, a));
    }

    /** Hands a recorded evaluation's instance back for reuse; its value is invalid afterwards. */
    void release(Recorded r) {
        program.release(r);
    }

    /**
     * Where a call's time goes: every op of the compiled graph timed over {@code repetitions} replays
     * at (t, h) with the cotangent {@code a}, forward segment first. For profiling; empty when the
     * graph is not replayed ({@link #replaysGraph()}).
     */
    public List<OpCost> opCosts(double t, INDArray h, INDArray a, int repetitions) {
        return program.opCosts(t, h, a, current, repetitions);
    }

    /**
     * True when calls replay the compiled graph ({@link CompiledGraph}), false when SameDiff's session
     * runs them because the graph has an op the replay does not support. Compiles on first use.
     */
    public boolean replaysGraph() {
        return program.replays();
    }

    /** Runs every later call through SameDiff's session: the reference the replay is tested against. */
    void useSessionOnly() {
        program.useSessionOnly();
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
