package org.dl4jnode.samediff.runtime;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.RandomOp;
import org.nd4j.linalg.api.ops.ReduceOp;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.custom.Invoke;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.BaseCompatOp;
import org.nd4j.linalg.api.ops.impl.shape.tensorops.BaseTensorOp;
import org.nd4j.linalg.api.ops.impl.transforms.Assert;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A SameDiff graph flattened to the ops some outputs need, in dependency order, and replayed through
 * ND4J's executioner with one {@link OpContext} per op whose input and output arrays are bound once.
 *
 * <p>The graph stays the definition of the computation (every backend runs its ops); what is saved is
 * the session around them. SameDiff's {@code InferenceSession} tracks dependencies, infers every
 * output shape and allocates every output at every call, which costs several times the arithmetic of
 * a small vector field. Here that work is done once per set of placeholder shapes, when
 * {@link #acquire} plans an instance; a replay is one native call per op.
 *
 * <p>The ops come in two segments: the <em>forward</em> ops that the forward outputs need, and the
 * <em>backward</em> ops that the backward outputs need beyond those. A {@link GraphInstance} can run its
 * forward segment now and its backward segment later, reading the forward values it kept: that is how
 * a solve keeps each stage's activations for its backward pass instead of recomputing them.
 *
 * <p>Only straight-line graphs compile: control flow, tensor arrays, random ops, asserts and legacy
 * ops whose scalar or axis comes from a computed variable are refused with
 * {@link UnsupportedOperationException}, and the caller runs such graphs through SameDiff's session.
 */
final class CompiledGraph {

    private final SameDiff graph;
    /** Invariant ops first, then the forward segment's others, then the backward segment's others. */
    private final List<OpNode> ops;
    /** Ops [0, invariantOps) read only variables and constants: their values change only with the parameters. */
    private final int invariantOps;
    /** Ops [invariantOps, forwardEnd) are the rest of the forward segment. */
    private final int forwardEnd;
    /** Incremented whenever the caller changes a parameter's values; pools recompute their invariants then. */
    private long parameterVersion;
    /** Variables read by ops but produced by none: placeholders, variables and constants. */
    private final Set<String> externalInputs;
    /** Variables the graph computes but the caller supplies: bound once when planned, written in place after. */
    private final Set<String> given;
    /** Planned instances by placeholder shapes; the few most recent shapes (training, last batch, evaluation). */
    private final Map<String, InstancePool> pools = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, InstancePool> eldest) {
            return size() > SHAPES_KEPT;
        }
    };
    private static final int SHAPES_KEPT = 3;

    private CompiledGraph(SameDiff graph, List<OpNode> ops, int invariantOps, int forwardEnd,
                          Set<String> externalInputs, Set<String> given) {
        this.graph = graph;
        this.given = Set.copyOf(given);
        this.ops = ops;
        this.invariantOps = invariantOps;
        this.forwardEnd = forwardEnd;
        this.externalInputs = externalInputs;
    }

    /**
     * Flattens the ops of {@code graph} that compute {@code forwardOutputs}, then those that compute
     * {@code backwardOutputs} beyond them, and rewrites them into faster equivalents ({@link GraphRewrite}).
     *
     * @throws UnsupportedOperationException when an op needed cannot be replayed (see the class comment)
     */
    static CompiledGraph compile(SameDiff graph, Collection<String> forwardOutputs,
                                 Collection<String> backwardOutputs) {
        return compile(graph, forwardOutputs, backwardOutputs, Set.of());
    }

    /**
     * As {@link #compile(SameDiff, Collection, Collection)}, with {@code given} variables that the caller
     * binds as inputs although the graph computes them: the ops that would compute them are not run.
     * (A field's gradient graph differentiates {@code sum(f * a)}; the gradient reaching f is {@code a}
     * itself, so the three ops that compute it from the sum are skipped.) A given variable's array is bound
     * when an instance is planned and is written in place afterwards, never rebound.
     */
    static CompiledGraph compile(SameDiff graph, Collection<String> forwardOutputs,
                                 Collection<String> backwardOutputs, Set<String> given) {
        Set<String> visited = new HashSet<>();
        List<String> order = new ArrayList<>();
        for (String v : forwardOutputs) {
            visit(graph, v, given, visited, order);
        }
        int forward = order.size();
        for (String v : backwardOutputs) {
            visit(graph, v, given, visited, order);
        }
        List<OpNode> nodes = new ArrayList<>(order.size());
        for (int k = 0; k < order.size(); k++) {
            String opName = order.get(k);
            DifferentialFunction df = graph.getOps().get(opName).getOp();
            requireReplayable(graph, df, opName);
            String[] inputs = df.argNames() == null ? new String[0] : df.argNames();
            boolean axisArgument = df instanceof ReduceOp reduce && reduce.getOpType() != Op.Type.REDUCE3
                    && inputs.length == 2;
            nodes.add(new OpNode(df, inputs, df.outputVariablesNames(), k >= forward, axisArgument, true));
        }
        List<String> outputs = new ArrayList<>(forwardOutputs);
        outputs.addAll(backwardOutputs);
        List<OpNode> rewritten = GraphRewrite.apply(graph, nodes, outputs);
        Set<String> produced = new HashSet<>();
        Set<String> external = new LinkedHashSet<>();
        Set<String> varying = new HashSet<>(given);
        List<OpNode> invariant = new ArrayList<>();
        List<OpNode> forwardRest = new ArrayList<>();
        List<OpNode> backwardRest = new ArrayList<>();
        for (OpNode node : rewritten) {
            boolean varies = false;
            for (String in : node.inputs()) {
                if (!produced.contains(in)) {
                    external.add(in);
                    varies |= graph.getVariable(in).getVariableType() == VariableType.PLACEHOLDER;
                }
                varies |= varying.contains(in);
            }
            produced.addAll(List.of(node.outputs()));
            if (varies) {
                varying.addAll(List.of(node.outputs()));
                (node.backward() ? backwardRest : forwardRest).add(node);
            } else {
                // reads nothing a call changes: hoisted out of the calls (a Galerkin layer's coefficient
                // reshapes, the shapes of the parameters' gradients); moving it first keeps the order valid
                invariant.add(node);
            }
        }
        List<OpNode> ordered = new ArrayList<>(invariant);
        ordered.addAll(forwardRest);
        ordered.addAll(backwardRest);
        return new CompiledGraph(graph, List.copyOf(ordered), invariant.size(), invariant.size() + forwardRest.size(),
                external, given);
    }

    /**
     * Tells the program that the values of the parameters (variables) changed, in place or by rebinding:
     * the ops that read only parameters and constants run again before the next forward segment.
     */
    void parametersChanged() {
        parameterVersion++;
    }

    /** Depth-first, inputs before the op that reads them: a topological order of the ops needed. */
    private static void visit(SameDiff graph, String variable, Set<String> given, Set<String> visited,
                              List<String> order) {
        Variable v = graph.getVariables().get(variable);
        if (v == null) {
            throw new IllegalArgumentException("no variable " + variable + " in the graph");
        }
        if (given.contains(variable)) {
            return;
        }
        String opName = v.getOutputOfOp();
        if (opName == null || !visited.add(opName)) {
            return;
        }
        SameDiffOp sdo = graph.getOps().get(opName);
        if (sdo.getInputsToOp() != null) {
            for (String in : sdo.getInputsToOp()) {
                visit(graph, in, given, visited, order);
            }
        }
        if (sdo.getControlDeps() != null) {
            for (String dep : sdo.getControlDeps()) {
                visit(graph, dep, given, visited, order);
            }
        }
        order.add(opName);
    }

    private static void requireReplayable(SameDiff graph, DifferentialFunction df, String opName) {
        boolean controlFlow = df instanceof BaseCompatOp || df instanceof BaseTensorOp || df instanceof Invoke
                || df instanceof Assert;
        if (controlFlow || df instanceof RandomOp || !(df instanceof CustomOp || df instanceof Op)) {
            throw new UnsupportedOperationException("op " + opName + " (" + df.getClass().getSimpleName()
                    + ") cannot be replayed");
        }
        String[] args = df.argNames();
        if (!(df instanceof CustomOp) && args != null && args.length == 2) {
            // a legacy op's second input is set on the op object, shared by every instance: fine for a
            // constant axis, not for a scalar that an instance computes
            if (df instanceof ScalarOp) {
                throw new UnsupportedOperationException("legacy scalar op " + opName + " reads its scalar from a variable");
            }
            boolean constant = graph.getVariable(args[1]).getVariableType() == VariableType.CONSTANT;
            if (df instanceof ReduceOp && !constant) {
                throw new UnsupportedOperationException("legacy reduction " + opName + " reads its axis from a "
                        + "computed variable");
            }
        }
    }

    /** Number of ops in the forward segment, those hoisted out of the calls included. */
    int forwardOpCount() {
        return forwardEnd;
    }

    /** Number of ops that read only parameters and constants, run once per parameter change. */
    int invariantOpCount() {
        return invariantOps;
    }

    /** Number of ops in both segments. */
    int opCount() {
        return ops.size();
    }

    /** The ops' names in the order they run, forward segment first (as libnd4j names them). */
    List<String> opNames() {
        return ops.stream().map(OpNode::name).toList();
    }

    /**
     * An instance for the placeholder shapes {@code shapeKey} stands for: a free one planned before,
     * or a new one planned with {@code externals} (see {@link GraphInstance}). Instances of one shape share
     * their backward segment's arrays: a backward result must be read before the next backward run.
     * Hand it back with {@link #release} when its values are no longer needed.
     *
     * @param externals arrays of the placeholders and of any variable to bind otherwise than to the
     *                  graph's own array, asked for only when a new instance is planned
     */
    GraphInstance acquire(String shapeKey, Supplier<Map<String, INDArray>> externals) {
        InstancePool pool = pools.computeIfAbsent(shapeKey, k -> new InstancePool());
        GraphInstance free = pool.take();
        if (free != null) {
            return free;
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return new GraphInstance(this, pool, externals.get());
        }
    }

    /** Makes an instance free for reuse; its values are invalid afterwards. */
    void release(GraphInstance instance) {
        instance.pool().give(instance);
    }

    SameDiff graph() {
        return graph;
    }

    /** Invariant ops first, then the forward segment's others, then the backward segment's others. */
    List<OpNode> ops() {
        return ops;
    }

    /** Variables read by ops but produced by none: placeholders, variables and constants. */
    Set<String> externalInputs() {
        return externalInputs;
    }

    /** Whether the caller supplies {@code name} although the graph computes it. */
    boolean isGiven(String name) {
        return given.contains(name);
    }

    /** Incremented whenever the caller changes a parameter's values. */
    long parameterVersion() {
        return parameterVersion;
    }
}
