package org.dl4jnode.layers;

import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.samediff.runtime.FieldFunction;
import org.dl4jnode.samediff.runtime.Solution;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The analysis calls of {@link OdeLayer} (trajectories, states, the field's values and weights), made
 * with the layer's solve and its current parameters, outside DL4J's workspaces. Results are copies;
 * the solve's arrays are the caller's to give back.
 */
final class OdeLayerAnalysis {

    private final BaseOdeLayer conf;
    private final LayerSolve solve;
    private final SolveDiagnosis diagnosis;

    OdeLayerAnalysis(BaseOdeLayer conf, LayerSolve solve, SolveDiagnosis diagnosis) {
        this.conf = conf;
        this.solve = solve;
        this.diagnosis = diagnosis;
    }

    /** See {@link OdeLayer#weightsAt(double)}. */
    Map<String, INDArray> weightsAt(Map<String, INDArray> params, double t) {
        FieldFunction f = solve.field();
        f.bind(params);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return f.fieldParameters(t);
        }
    }

    /** See {@link OdeLayer#trajectory(INDArray)}. */
    List<INDArray> trajectory(Map<String, INDArray> params, INDArray x) {
        List<INDArray> states = new ArrayList<>();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            OutputPlan plan = solve.plan(x);
            INDArray detached = solve.solverArray(plan.state(x));
            INDArray y0 = solve.bind(params, detached);
            states.add(y0.dup());
            try (Solution s = solve.forward(solve.field(), detached, params, y0, plan, null,
                    step -> states.add(step.next().dup()))) {
                diagnosis.checkFinite(detached, params, s, plan);
            }
        }
        return states;
    }

    /** See {@link OdeLayer#initialState(INDArray)}. */
    INDArray initialState(Map<String, INDArray> params, INDArray x) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return solve.lift().initialState(solve.solverArray(solve.plan(x).state(x)), params).dup();
        }
    }

    /** See {@link OdeLayer#finalStateFrom(INDArray, INDArray)}. */
    INDArray finalStateFrom(Map<String, INDArray> params, INDArray x, INDArray h0) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            OutputPlan plan = solve.plan(x);
            INDArray detached = solve.solverArray(plan.state(x));
            long[] stateShape = conf.stateShape();
            long[] expected = new long[stateShape.length + 1];
            expected[0] = x.size(0);
            System.arraycopy(stateShape, 0, expected, 1, stateShape.length);
            if (!Arrays.equals(h0.shape(), expected)) {
                throw new IllegalArgumentException(diagnosis.where() + ": a starting state must have the shape of "
                        + "h(t0), " + Arrays.toString(expected) + ", got " + Arrays.toString(h0.shape()));
            }
            LayerSolve.bind(solve.field(), params, detached);
            try (Solution s = solve.forward(solve.field(), detached, params, solve.solverArray(h0).dup(), plan, null,
                    null)) {
                diagnosis.checkFinite(detached, params, s, plan);
                List<INDArray> states = s.states();
                return states.get(states.size() - 1).dup();
            }
        }
    }

    /** See {@link OdeLayer#vectorFieldAt(double, INDArray)}. */
    INDArray vectorFieldAt(Map<String, INDArray> params, double t, INDArray h) {
        FieldFunction f = solve.field();
        if (f.readsInput()) {
            throw new IllegalStateException(diagnosis.where() + ": the right-hand side reads the layer's input (data "
                    + "control or adaptive depth), so it has no value without an input; use trajectory(x)");
        }
        f.bind(params);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return f.evaluate(t, solve.solverArray(h));
        }
    }
}
