package org.dl4jnode.samediff.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static org.dl4jnode.samediff.runtime.FieldGraph.COTANGENT;
import static org.dl4jnode.samediff.runtime.FieldGraph.INPUT;
import static org.dl4jnode.samediff.runtime.FieldGraph.STATE;
import static org.dl4jnode.samediff.runtime.FieldGraph.TIME;

/**
 * How a {@link FieldFunction}'s evaluations run: its gradient graph compiled and replayed op by op
 * ({@link CompiledGraph}), planned once per set of shapes, or SameDiff's session when the graph has an
 * op the replay does not support (slower, equally correct). Compiles on first use.
 */
final class FieldProgram {

    private final FieldGraph graph;
    private CompiledGraph program;
    private boolean sessionOnly;
    /** The binding the compiled program's parameter-only ops were last computed from. */
    private Binding programBinding;
    /** Zero gradients of targets f does not depend on, by target and shape. */
    private final Map<String, INDArray> zeroGradients = new HashMap<>();

    FieldProgram(FieldGraph graph) {
        this.graph = graph;
    }

    /** f(t, h) with {@code binding}, kept with what its backward part reads; uncounted. */
    FieldFunction.Recorded forward(double t, INDArray h, Binding binding) {
        if (!replays()) {
            return new FieldFunction.Recorded(t, h, graph.sessionOutput(t, h, binding), null, binding);
        }
        INDArray input = graph.readsInput ? binding.requireInput() : null;
        if (binding != programBinding) {
            // other values than the ops that read only parameters last saw: recompute those
            program.parametersChanged();
            programBinding = binding;
        }
        GraphInstance in = program.acquire(shapeKey(h, input), () -> planningInputs(h, binding));
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
        return new FieldFunction.Recorded(t, h, in.get(graph.output), in, binding);
    }

    /**
     * The gradients of {@code a^T f} at a recorded evaluation, by target: the state, the input where it
     * is read, and every trainable key. The arrays are the graph's own and are overwritten by the next
     * product: read or copy them before.
     */
    Map<String, INDArray> gradients(FieldFunction.Recorded r, INDArray a) {
        if (r.instance() == null) {
            return graph.sessionGradients(r.t(), r.h(), a, r.binding());
        }
        GraphInstance in = r.instance();
        in.get(COTANGENT).assign(a);
        in.runBackward();
        Map<String, INDArray> grads = new HashMap<>();
        for (String target : graph.gradientTargets) {
            String g = graph.gradientOf.get(target);
            grads.put(target, g == null ? zeros(target, shapeOf(target, r)) : in.get(g));
        }
        return grads;
    }

    /**
     * Where a call's time goes: every op of the compiled graph timed over {@code repetitions} replays
     * at (t, h) with the cotangent {@code a}, forward segment first. For profiling; empty when the
     * graph is not replayed.
     */
    List<OpCost> opCosts(double t, INDArray h, INDArray a, Binding binding, int repetitions) {
        if (!replays()) {
            return List.of();
        }
        FieldFunction.Recorded r = forward(t, h, binding);
        try {
            r.instance().get(COTANGENT).assign(a);
            return r.instance().opCosts(repetitions);
        } finally {
            release(r);
        }
    }

    /** Hands a recorded evaluation's instance back for reuse; its value is invalid afterwards. */
    void release(FieldFunction.Recorded r) {
        if (r.instance() != null) {
            program.release(r.instance());
        }
    }

    private INDArray zeros(String target, long[] shape) {
        return zeroGradients.computeIfAbsent(target + Arrays.toString(shape), k -> Nd4j.zeros(graph.dataType, shape));
    }

    private long[] shapeOf(String target, FieldFunction.Recorded r) {
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
    boolean replays() {
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

    /** Runs every later call through SameDiff's session: the reference the replay is tested against. */
    void useSessionOnly() {
        sessionOnly = true;
        program = null;
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
}
