package org.dl4jnode.samediff.runtime;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseOp;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.RandomOp;
import org.nd4j.linalg.api.ops.ReduceOp;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.custom.Invoke;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.BaseCompatOp;
import org.nd4j.linalg.api.ops.impl.shape.tensorops.BaseTensorOp;
import org.nd4j.linalg.api.ops.impl.transforms.Assert;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
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
 * <em>backward</em> ops that the backward outputs need beyond those. An {@link Instance} can run its
 * forward segment now and its backward segment later, reading the forward values it kept: that is how
 * a solve keeps each stage's activations for its backward pass instead of recomputing them.
 *
 * <p>Only straight-line graphs compile: control flow, tensor arrays, random ops, asserts and legacy
 * ops whose scalar or axis comes from a computed variable are refused with
 * {@link UnsupportedOperationException}, and the caller runs such graphs through SameDiff's session.
 */
final class CompiledGraph {

    /** libnd4j's C interface on the CPU backend, null on others (CUDA's executioner also moves data). */
    private static final NativeOps CPU_OPS = Nd4j.getEnvironment().isCPU()
            ? NativeOpsHolder.getInstance().getDeviceNativeOps() : null;

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
    private final Map<String, Pool> pools = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Pool> eldest) {
            return size() > SHAPES_KEPT;
        }
    };
    private static final int SHAPES_KEPT = 3;

    /** Instances of one set of placeholder shapes: those free for reuse, and the backward arrays they share. */
    private static final class Pool {
        private final List<Instance> free = new ArrayList<>();
        private final Map<String, INDArray> shared = new HashMap<>();
        /** The parameter version the shared invariant values were computed for. */
        private long invariantVersion = -1;
    }

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
     * or a new one planned with {@code externals} (see {@link Instance}). Instances of one shape share
     * their backward segment's arrays: a backward result must be read before the next backward run.
     * Hand it back with {@link #release} when its values are no longer needed.
     *
     * @param externals arrays of the placeholders and of any variable to bind otherwise than to the
     *                  graph's own array, asked for only when a new instance is planned
     */
    Instance acquire(String shapeKey, Supplier<Map<String, INDArray>> externals) {
        Pool pool = pools.computeIfAbsent(shapeKey, k -> new Pool());
        if (!pool.free.isEmpty()) {
            return pool.free.remove(pool.free.size() - 1);
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return new Instance(pool, externals.get());
        }
    }

    /**
     * True when {@code array} can hold an output of {@code shape}: same shape, type and order. (Not the
     * descriptors' equality: a created array's descriptor carries other flags than the shape function's, so
     * instances of one pool would each allocate their own "shared" arrays, and values computed once for
     * the pool, such as the parameter-only ops', would reach only one of them.)
     */
    private static boolean fits(INDArray array, LongShapeDescriptor shape) {
        return Arrays.equals(array.shape(), shape.getShape()) && array.dataType() == shape.dataType()
                && array.ordering() == shape.getOrder();
    }

    /** Makes an instance free for reuse; its values are invalid afterwards. */
    void release(Instance instance) {
        instance.pool.free.add(instance);
    }

    /**
     * One binding of the graph to arrays: contexts, intermediate values, and where each input is read.
     * Planning allocates every op output, binds every context, and runs both segments once (shape
     * functions may read values).
     */
    final class Instance {
        private final Pool pool;
        private final OpContext[] contexts = new OpContext[ops.size()];
        /** The op each context runs: the graph's, or one planned in its place for this instance's shapes. */
        private final DifferentialFunction[] runOps = new DifferentialFunction[ops.size()];
        /** The custom ops' hashes, by which libnd4j finds them; 0 until the op first runs. */
        private final long[] opHashes = new long[ops.size()];
        private final Map<String, INDArray> values = new HashMap<>();
        /** External input name -> (op index, input slot) of every context reading it. */
        private final Map<String, List<int[]>> readers = new HashMap<>();

        private Instance(Pool pool, Map<String, INDArray> externals) {
            this.pool = pool;
            // every array given is kept, read by an op or not, so that rebinding it later is harmless
            values.putAll(externals);
            for (String name : externalInputs) {
                if (!values.containsKey(name)) {
                    INDArray own = graph.getArrForVarName(name);
                    if (own == null) {
                        throw new IllegalArgumentException("no array for graph input " + name);
                    }
                    values.put(name, own);
                }
            }
            for (int k = 0; k < ops.size(); k++) {
                OpNode node = ops.get(k);
                // backward values and invariant ones are shared by the pool's instances
                boolean shared = node.backward() || k < invariantOps;
                OpContext oc = Nd4j.getExecutioner().buildContext();
                oc.allowHelpers(node.helpers());
                contexts[k] = oc;
                INDArray[] args = new INDArray[node.inputs().length];
                for (int i = 0; i < args.length; i++) {
                    args[i] = values.get(node.inputs()[i]);
                    if (externalInputs.contains(node.inputs()[i]) && !(node.axisArgument() && i == 1)) {
                        readers.computeIfAbsent(node.inputs()[i], n -> new ArrayList<>()).add(new int[] {k, i});
                    }
                }
                List<LongShapeDescriptor> shapes;
                if (node.op() instanceof CustomOp) {
                    DynamicCustomOp op = (DynamicCustomOp) node.op();
                    oc.setArgs(args, op.iArgs(), op.dArgs(), op.tArgs(), op.bArgs());
                    shapes = op.calculateOutputShape(oc);
                } else {
                    if (node.axisArgument()) {
                        int[] axis = Shape.normalizeAxis(args[0].rank(), args[1].toIntVector());
                        node.op().setDimensions(axis);
                    }
                    oc.setInputArray(0, args[0]);
                    if (args.length == 2 && !node.axisArgument()) {
                        oc.setInputArray(1, args[1]);
                    }
                    shapes = ((BaseOp) node.op()).calculateOutputShape(oc);
                }
                if (shapes == null || shapes.size() != node.outputs().length) {
                    throw new IllegalStateException("op " + node.op().getOwnName() + ": shape function gave "
                            + shapes + " for " + node.outputs().length + " outputs");
                }
                runOps[k] = node.op();
                INDArray view = reshapedView(node, args, shapes);
                if (view != null) {
                    // the reshape's output is its input seen in another shape: nothing to run or copy
                    values.put(node.outputs()[0], view);
                    replaceContext(k, null, null);
                    continue;
                }
                if (plannedAddGradient(k, node, args, shapes, shared)) {
                    continue;
                }
                for (int i = 0; i < shapes.size(); i++) {
                    String name = node.outputs()[i];
                    LongShapeDescriptor shape = shapes.get(i);
                    // as SameDiff's session does: the variable's type wins over the shape function's guess
                    DataType type = graph.getVariable(name).dataType();
                    if (type != shape.dataType()) {
                        shape = shape.asDataType(type);
                    }
                    INDArray out = output(name, shape, shared);
                    oc.setOutputArray(i, out);
                    values.put(name, out);
                }
                execute(k);
            }
        }

        /**
         * The output of a 'c'-order reshape as a view of its input, when the input is an op's output or an alias
         * of one (so it is never rebound) and dense: the view then always holds what the op would copy. Null
         * otherwise.
         */
        private INDArray reshapedView(OpNode node, INDArray[] args, List<LongShapeDescriptor> shapes) {
            if (!"reshape".equals(node.name()) || args.length < 1 || shapes.size() != 1
                    || externalInputs.contains(node.inputs()[0])) {
                return null;
            }
            long[] iArgs = ((DynamicCustomOp) node.op()).iArgs();
            boolean cOrder = iArgs.length == 0 || iArgs[0] != -'f';
            INDArray in = args[0];
            LongShapeDescriptor shape = shapes.get(0);
            // dense from its buffer's start: an op's own output, or an alias of one that is itself a view
            boolean dense = in.ordering() == 'c' && in.elementWiseStride() == 1 && in.offset() == 0;
            if (!cOrder || !dense || in.dataType() != shape.dataType()
                    || graph.getVariable(node.outputs()[0]).dataType() != in.dataType()) {
                return null;
            }
            INDArray view = in.reshape('c', shape.getShape());
            boolean shares = view.data().address() == in.data().address() && view.offset() == 0;
            return shares ? view : null;
        }

        /**
         * Plans {@code add_bp} (the gradients of {@code z = x + y} from z's) without copies: a gradient shaped
         * like z's is z's array itself, and the other, when it is broadcast, is z's gradient summed over the
         * broadcast axes ({@code reduce_sum}, or for the rows of a matrix a product with a row of ones). False when the op runs as it is (both broadcast, other ranks,
         * or z's gradient is an input the caller may rebind).
         */
        private boolean plannedAddGradient(int k, OpNode node, INDArray[] args, List<LongShapeDescriptor> shapes,
                                           boolean shared) {
            if (!"add_bp".equals(node.name()) || args.length != 3 || shapes.size() != 2) {
                return false;
            }
            String upstream = node.inputs()[2];
            INDArray eps = args[2];
            if (externalInputs.contains(upstream) && !given.contains(upstream)) {
                return false;
            }
            int broadcast = -1;
            for (int i = 0; i < 2; i++) {
                LongShapeDescriptor shape = shapes.get(i);
                boolean same = Arrays.equals(shape.getShape(), eps.shape()) && shape.dataType() == eps.dataType();
                if (!same) {
                    if (broadcast >= 0) {
                        return false;
                    }
                    broadcast = i;
                }
            }
            OpContext reduction = null;
            DifferentialFunction sum = null;
            if (broadcast >= 0) {
                long[] target = shapes.get(broadcast).getShape();
                if (target.length != eps.rank()) {
                    return false;
                }
                List<Long> axes = new ArrayList<>();
                for (int d = 0; d < target.length; d++) {
                    if (target[d] == 1 && eps.size(d) != 1) {
                        axes.add((long) d);
                    } else if (target[d] != eps.size(d)) {
                        return false;
                    }
                }
                DynamicCustomOp op;
                INDArray[] inputs;
                if (eps.rank() == 2 && axes.equals(List.of(0L))) {
                    // column sums as a product with a row of ones: the BLAS path, several times faster than
                    // libnd4j's reduction along the strided axis
                    op = DynamicCustomOp.builder("matmul").addIntegerArguments(0, 0, 0).build();
                    inputs = new INDArray[] {Nd4j.ones(eps.dataType(), 1, eps.size(0)), eps};
                } else {
                    op = DynamicCustomOp.builder("reduce_sum")
                            .addIntegerArguments(axes.stream().mapToInt(Long::intValue).toArray())
                            .addBooleanArguments(true).build();
                    inputs = new INDArray[] {eps};
                }
                reduction = Nd4j.getExecutioner().buildContext();
                reduction.allowHelpers(false);
                reduction.setArgs(inputs, op.iArgs(), op.dArgs(), op.tArgs(), op.bArgs());
                List<LongShapeDescriptor> reduced = op.calculateOutputShape(reduction);
                if (reduced.size() != 1 || !Arrays.equals(reduced.get(0).getShape(), target)) {
                    return false;
                }
                String name = node.outputs()[broadcast];
                INDArray out = output(name, shapes.get(broadcast), shared);
                reduction.setOutputArray(0, out);
                values.put(name, out);
                sum = op;
            }
            for (int i = 0; i < 2; i++) {
                if (i != broadcast) {
                    values.put(node.outputs()[i], eps);
                }
            }
            replaceContext(k, reduction, sum);
            if (reduction != null) {
                execute(k);
            }
            return true;
        }

        /**
         * The array for output {@code name} of {@code shape}: a new one, or with {@code shared} the pool's, made
         * when the pool has none that fits.
         */
        private INDArray output(String name, LongShapeDescriptor shape, boolean shared) {
            INDArray out = shared ? pool.shared.get(name) : null;
            if (out == null || !fits(out, shape)) {
                out = Nd4j.create(shape, false);
                if (shared) {
                    pool.shared.put(name, out);
                }
            }
            return out;
        }

        /**
         * Runs {@code op} with {@code context} in op k's place (nothing when both are null). Op k's own context is
         * dropped, and with it the record of the inputs it read, so rebinding one of them (a bias, a shape
         * constant) reaches no context that no longer runs.
         */
        private void replaceContext(int k, OpContext context, DifferentialFunction op) {
            readers.values().forEach(at -> at.removeIf(r -> r[0] == k));
            contexts[k] = context;
            runOps[k] = op;
            opHashes[k] = 0;
        }

        /**
         * Op k through libnd4j's C interface, as ND4J's CPU executioner calls it, without the executioner's
         * per-call work around it: its profiler hooks, its per-op oneDNN overrides by name, and the list of
         * outputs it builds for its caller (7% of a small field's replay time).
         */
        private void callCpu(int k, CustomOp op) {
            if (opHashes[k] == 0) {
                opHashes[k] = op.opHash();
            }
            int status = CPU_OPS.execCustomOp2(null, opHashes[k], contexts[k].contextPointer());
            if (status != 0 || CPU_OPS.lastErrorCode() != 0) {
                throw new IllegalStateException("op " + runOps[k].getOwnName() + " (" + op.opName() + ") failed: "
                        + CPU_OPS.lastErrorMessage());
            }
        }

        /**
         * Rebinds an external input (placeholder or variable) when {@code array} is not the one bound.
         * For inputs that change rarely (parameters): libnd4j keeps the previous array's buffer alive
         * in the context, so values that change at every call are better copied into {@link #get}.
         */
        void bind(String name, INDArray array) {
            INDArray current = values.get(name);
            if (current == array) {
                return;
            }
            if (given.contains(name)) {
                throw new IllegalArgumentException("graph input " + name + " is bound when planned; write into it");
            }
            if (current != null && (!Arrays.equals(current.shape(), array.shape())
                    || current.dataType() != array.dataType())) {
                throw new IllegalArgumentException("graph input " + name + " was planned as " + current.dataType()
                        + Arrays.toString(current.shape()) + ", got " + array.dataType() + Arrays.toString(array.shape()));
            }
            values.put(name, array);
            List<int[]> at = readers.get(name);
            if (at != null) {
                for (int[] r : at) {
                    contexts[r[0]].setInputArray(r[1], array);
                }
            }
        }

        /**
         * Bytes of the arrays the forward segment writes for this instance alone: what it holds while its
         * values are kept (the invariant values are the pool's).
         */
        long forwardBytes() {
            long bytes = 0;
            for (int k = invariantOps; k < forwardEnd; k++) {
                for (String name : ops.get(k).outputs()) {
                    INDArray v = values.get(name);
                    bytes += v.length() * v.dataType().width();
                }
            }
            return bytes;
        }

        /** The array bound to, or computed for, a variable. */
        INDArray get(String name) {
            return values.get(name);
        }

        /** Runs the forward segment, first the invariant ops if the parameters changed since they last ran. */
        void runForward() {
            if (pool.invariantVersion != parameterVersion) {
                for (int k = 0; k < invariantOps; k++) {
                    execute(k);
                }
                pool.invariantVersion = parameterVersion;
            }
            for (int k = invariantOps; k < forwardEnd; k++) {
                execute(k);
            }
        }

        void runBackward() {
            for (int k = forwardEnd; k < ops.size(); k++) {
                execute(k);
            }
        }

        /** Every op's mean time over {@code repetitions} replays of both segments. */
        List<OpCost> opCosts(int repetitions) {
            long[] nanos = new long[ops.size()];
            for (int r = 0; r < repetitions; r++) {
                for (int k = 0; k < ops.size(); k++) {
                    long start = System.nanoTime();
                    execute(k);
                    nanos[k] += System.nanoTime() - start;
                }
            }
            List<OpCost> out = new ArrayList<>(ops.size());
            for (int k = 0; k < ops.size(); k++) {
                OpNode node = ops.get(k);
                // what runs: the op, one planned in its place, or nothing (a view or an alias)
                String name = contexts[k] == null ? node.name() + " (no-op)"
                        : runOps[k] == node.op() ? node.name() : node.name() + " as " + runOps[k].opName();
                out.add(new OpCost(!node.backward(), name, node.outputs()[0],
                        values.get(node.outputs()[0]).shape(), nanos[k] / 1e3 / repetitions));
            }
            return out;
        }

        private void execute(int k) {
            if (contexts[k] == null) {
                return;
            }
            DifferentialFunction op = runOps[k];
            if (op instanceof CustomOp custom) {
                if (CPU_OPS != null) {
                    callCpu(k, custom);
                } else {
                    Nd4j.getExecutioner().exec(custom, contexts[k]);
                }
            } else {
                Nd4j.getExecutioner().exec((Op) op, contexts[k]);
            }
        }
    }
}
