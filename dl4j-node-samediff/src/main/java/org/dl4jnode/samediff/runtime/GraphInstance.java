package org.dl4jnode.samediff.runtime;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseOp;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One binding of a {@link CompiledGraph} to arrays for one set of placeholder shapes: an
 * {@link OpContext} per op with its input and output arrays bound once, the intermediate values, and
 * where each external input is read, so that rebinding one reaches every op that reads it. A replay
 * is one native call per op. Instances of one shape share their backward segment's arrays
 * ({@link InstancePool}): a backward result must be read before the next backward run.
 */
final class GraphInstance {

    /** libnd4j's C interface on the CPU backend, null on others (CUDA's executioner also moves data). */
    private static final NativeOps CPU_OPS = Nd4j.getEnvironment().isCPU()
            ? NativeOpsHolder.getInstance().getDeviceNativeOps() : null;

    private final CompiledGraph program;
    private final List<OpNode> ops;
    private final Set<String> externalInputs;
    private final InstancePool pool;
    private final OpContext[] contexts;
    /** The op each context runs: the graph's, or one planned in its place for this instance's shapes. */
    private final DifferentialFunction[] runOps;
    /** The custom ops' hashes, by which libnd4j finds them; 0 until the op first runs. */
    private final long[] opHashes;
    private final Map<String, INDArray> values = new HashMap<>();
    /** External input name -> (op index, input slot) of every context reading it. */
    private final Map<String, List<int[]>> readers = new HashMap<>();

    /**
     * Plans an instance of {@code program} for the placeholder shapes of {@code externals}: allocates
     * every op output (the backward and invariant ones from {@code pool}), binds every context, and runs
     * both segments once (shape functions may read values).
     *
     * @param externals arrays of the placeholders and of any variable to bind otherwise than to the
     *                  graph's own array
     */
    GraphInstance(CompiledGraph program, InstancePool pool, Map<String, INDArray> externals) {
        this.program = program;
        this.ops = program.ops();
        this.externalInputs = program.externalInputs();
        this.pool = pool;
        contexts = new OpContext[ops.size()];
        runOps = new DifferentialFunction[ops.size()];
        opHashes = new long[ops.size()];
        SameDiff graph = program.graph();
        int invariantOps = program.invariantOpCount();
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
            INDArray view = InstanceRewrites.reshapedView(graph, node, args, shapes,
                    externalInputs.contains(node.inputs()[0]));
            if (view != null) {
                // the reshape's output is its input seen in another shape: nothing to run or copy
                values.put(node.outputs()[0], view);
                replaceContext(k, null, null);
                continue;
            }
            String upstream = node.inputs().length > 2 ? node.inputs()[2] : null;
            InstanceRewrites.AddGradient addGradient = InstanceRewrites.AddGradient.plan(node, args, shapes,
                    externalInputs.contains(upstream) && !program.isGiven(upstream));
            if (addGradient != null) {
                plan(k, node, args[2], shapes, shared, addGradient);
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
                INDArray out = pool.output(name, shape, shared);
                oc.setOutputArray(i, out);
                values.put(name, out);
            }
            execute(k);
        }
    }

    /** Op k, {@code add_bp}, as {@code plan} says: its outputs aliases of z's gradient {@code eps}, or a sum of it. */
    private void plan(int k, OpNode node, INDArray eps, List<LongShapeDescriptor> shapes, boolean shared,
                      InstanceRewrites.AddGradient plan) {
        for (int i = 0; i < 2; i++) {
            if (i != plan.broadcast()) {
                values.put(node.outputs()[i], eps);
            }
        }
        if (plan.broadcast() < 0) {
            replaceContext(k, null, null);
            return;
        }
        String name = node.outputs()[plan.broadcast()];
        INDArray out = pool.output(name, shapes.get(plan.broadcast()), shared);
        plan.context().setOutputArray(0, out);
        values.put(name, out);
        replaceContext(k, plan.context(), plan.sum());
        execute(k);
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
        if (program.isGiven(name)) {
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
        for (int k = program.invariantOpCount(); k < program.forwardOpCount(); k++) {
            for (String name : ops.get(k).outputs()) {
                INDArray v = values.get(name);
                bytes += v.length() * v.dataType().width();
            }
        }
        return bytes;
    }

    /** The pool this instance was planned for and goes back to. */
    InstancePool pool() {
        return pool;
    }

    /** The array bound to, or computed for, a variable. */
    INDArray get(String name) {
        return values.get(name);
    }

    /** Runs the forward segment, first the invariant ops if the parameters changed since they last ran. */
    void runForward() {
        int invariantOps = program.invariantOpCount();
        long version = program.parameterVersion();
        if (!pool.invariantsCurrent(version)) {
            for (int k = 0; k < invariantOps; k++) {
                execute(k);
            }
            pool.invariantsComputed(version);
        }
        for (int k = invariantOps; k < program.forwardOpCount(); k++) {
            execute(k);
        }
    }

    /** Runs the backward segment, reading the values the forward segment kept. */
    void runBackward() {
        for (int k = program.forwardOpCount(); k < ops.size(); k++) {
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
