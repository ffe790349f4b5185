package org.dl4jnode.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.conf.SolveFailurePolicy;
import org.dl4jnode.samediff.runtime.FieldFunction;
import org.dl4jnode.samediff.runtime.GradientMethod;
import org.dl4jnode.samediff.runtime.Gradients;
import org.dl4jnode.samediff.runtime.OdeSolve;
import org.dl4jnode.samediff.runtime.SolveFailure;
import org.dl4jnode.samediff.runtime.SolveThreads;
import org.dl4jnode.samediff.runtime.Solution;
import org.dl4jnode.samediff.solve.SolveStatistics;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runtime of the ODE layers ({@link org.dl4jnode.conf.OdeLayer} and its relatives): DL4J's forward
 * and backward passes around the layer's solve.
 *
 * <p>The layer adapts one call, {@link OdeSolve#solve}, made by its {@link LayerSolve}: the field as
 * a SameDiff graph ({@link FieldFunction}, bound to the parameters and input of each pass), h(t0),
 * the layer's grid (or its segments between output times), the Runge-Kutta method and a
 * {@link GradientMethod} (backprop through the recorded steps, the adjoint solved from t1 back to t0,
 * or checkpoints); the backward pass is {@link Solution#backward} with the outputs' cotangents. An
 * augmentation's lift from the input to h(t0), and the output's projection, are done around the solve
 * ({@link StateLift}). Failures are told by {@link SolveDiagnosis}; the parameter table is
 * {@link ParameterTableLayer}'s. All intermediate arrays live outside DL4J's workspaces; only the
 * layer's output and input gradient are handed over to them.
 */
public class OdeLayer extends ParameterTableLayer {

    private static final long serialVersionUID = 1L;

    private final transient SolveDiagnosis diagnosis;
    private final transient LayerSolve solve;
    private final transient OdeLayerAnalysis analysis;
    private final transient MinibatchSkips skips = new MinibatchSkips();
    /** The training solve, for its backward pass; null when no training pass waits for one. */
    private transient TrainingRecord record;
    private long lastBackwardEvaluations;
    private SolveStatistics lastBackwardStatistics = new SolveStatistics();

    public OdeLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        diagnosis = new SolveDiagnosis(layerConf(), this::getIndex);
        solve = new LayerSolve(layerConf(), dataType, diagnosis);
        analysis = new OdeLayerAnalysis(layerConf(), solve, diagnosis);
        if (layerConf().isConvolutional()) {
            PlainBuildNotice.forConvolutionalLayer(layerConf().describe());
        }
    }

    /** Forward solves that failed and were solved again on a fixed grid ({@code onSolveFailure}). */
    public long retriedSolves() {
        return solve.retriedSolves();
    }

    /** The training minibatches this layer skipped ({@code onSolveFailure(skipMinibatch())}). */
    public MinibatchSkips minibatchSkips() {
        return skips;
    }

    /** Number of evaluations of the field in the last forward pass. */
    public long lastForwardEvaluations() {
        return solve.lastEvaluations();
    }

    /** Number of vector-Jacobian products of the field in the last backward pass. */
    public long lastBackwardEvaluations() {
        return lastBackwardEvaluations;
    }

    /** The last forward solve's accepted and rejected steps and step sizes, over all its segments. */
    public SolveStatistics lastForwardStatistics() {
        return solve.lastStatistics();
    }

    /**
     * The last backward pass's steps: the adjoint's backward solves ({@code ADJOINT}); empty with
     * {@code BACKPROP}, which replays the forward steps.
     */
    public SolveStatistics lastBackwardStatistics() {
        return lastBackwardStatistics;
    }

    /**
     * The flow regularisers' penalties of the last training forward pass, by name
     * ({@code "kineticEnergy"}, ...), each weighted; their sum is part of the score. Empty without
     * regularisers or after an inference pass, which does not compute them.
     */
    public Map<String, Double> lastFlowPenalties() {
        return solve.penalties().values();
    }

    /**
     * The field's parameters at depth t, by the field's keys ({@code W0}, {@code b0}, ...), shaped as
     * the field declares them: for a {@link org.dl4jnode.conf.GalerkinOdeLayer} the reconstructed
     * {@code W(t) = sum_j C_j psi_j(t)}, for an {@link org.dl4jnode.conf.OdeLayer} its (constant)
     * weights. Copies; evaluated with the same graph ops as the solver uses.
     */
    public Map<String, INDArray> weightsAt(double t) {
        return analysis.weightsAt(params, t);
    }

    /**
     * The ODE's states along the forward solve from the layer input {@code x} (shaped as the layer's
     * input): h(t0) as the augmentation makes it, then the state after every step (every accepted step
     * of an adaptive solve), each {@code [minibatch, D, ...]} with the whole state D. The same solve
     * as the forward pass, with the current parameters; for pictures and analysis, not for training.
     */
    public List<INDArray> trajectory(INDArray x) {
        return analysed(() -> analysis.trajectory(params, x));
    }

    /**
     * h(t0) for the layer input {@code x}: the whole ODE state the augmentation makes,
     * {@code [minibatch, D, ...]}. For analysis; a copy.
     */
    public INDArray initialState(INDArray x) {
        return analysed(() -> analysis.initialState(params, x));
    }

    /**
     * h(t1) from the state {@code h0} ({@code [minibatch, D, ...]}, such as a perturbed
     * {@link #initialState}), the field reading the layer input {@code x} where it reads one: the
     * layer's solve from another starting point, with the current parameters. For analysis (such as
     * {@link LyapunovEstimator}); a copy of the whole state.
     */
    public INDArray finalStateFrom(INDArray x, INDArray h0) {
        return analysed(() -> analysis.finalStateFrom(params, x, h0));
    }

    /**
     * The right-hand side F(t, h) the layer integrates, at depth t for states {@code h}
     * ({@code [minibatch, D, ...]}), with the current parameters: the field f, with the second-order
     * structure around it. For pictures and analysis, such as arrows of the learned vector field.
     *
     * @throws IllegalStateException when the right-hand side also reads the layer input (data control,
     *                               adaptive depth): it is defined per example there
     */
    public INDArray vectorFieldAt(double t, INDArray h) {
        return analysed(() -> analysis.vectorFieldAt(params, t, h));
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        diagnosis.checkInput(input);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray out;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces();
             SolveThreads threads = SolveThreads.open(input.length())) {
            out = training ? trainingSolve() : solve(false);
        }
        return workspaceMgr.dup(ArrayType.ACTIVATIONS, out);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (skips.skipping(getIterationCount())) {
            return skippedGradient(workspaceMgr);
        }
        Gradient gradient = new DefaultGradient(gradientsFlat);
        INDArray inputGradient;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces();
             SolveThreads threads = SolveThreads.open(input.length())) {
            if (record == null || record.input() != input) {
                solve(true);
            }
            FlowPenalties penalties = solve.penalties();
            FieldFunction f = solve.trainingField();
            long before = f.vjpEvaluations();
            Gradients g;
            try {
                g = penalties.complete(record.solution().backward(penalties.solveStateBars(outputGradients(epsilon))));
            } catch (SolveFailure e) {
                if (!skipsMinibatches()) {
                    throw diagnosis.failure(e);
                }
                skip(diagnosis.failure(e));
                return skippedGradient(workspaceMgr);
            }
            lastBackwardEvaluations = f.vjpEvaluations() - before;
            lastBackwardStatistics = record.solution().backwardStatistics();
            g.params().forEach((key, value) -> gradientViews.get(key).assign(value));
            // the input layer's gradients are written by the lift
            inputGradient = solve.lift().inputGradient(record.x(), g.initialState(), record.params(), gradientViews);
            if (g.input() != null) {
                inputGradient = inputGradient.add(g.input());
            }
            inputGradient = record.plan().inputGradient(inputGradient);
            gradientViews.forEach(gradient::setGradientFor);
            // into DL4J's workspace before the solve's arrays, the input gradient's among them, go back
            inputGradient = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, inputGradient);
            clearRecord();
        }
        // the forward pass read the input after dropout: its gradient goes back through the same mask
        return new Pair<>(gradient, backpropDropOutIfPresent(inputGradient));
    }

    /**
     * The cotangents of the solve's outputs from the layer's {@code epsilon}: one for h(t1), or one
     * per output time ({@link OutputPlan#outputCotangents}), each through the output's lift.
     */
    private List<INDArray> outputGradients(INDArray epsilon) {
        List<INDArray> bars = new ArrayList<>();
        for (INDArray bar : record.plan().outputCotangents(epsilon)) {
            bars.add(solve.solverArray(solve.lift().finalStateGradient(bar)));
        }
        return bars;
    }

    /**
     * The training forward pass, or under {@code skipMinibatch} h(t0) at every output time when its
     * solve fails: the minibatch's update is undone by the listener, so the output only has to be
     * finite and shaped.
     */
    private INDArray trainingSolve() {
        long iteration = getIterationCount();
        skips.requireServedBefore(iteration, diagnosis.where());
        if (!skips.skipping(iteration)) {
            try {
                return solve(true);
            } catch (FailedSolve e) {
                if (!skipsMinibatches()) {
                    throw e;
                }
                skip(e);
            }
        }
        OutputPlan plan = solve.plan(input);
        INDArray h0 = solve.lift().initialState(solve.solverArray(plan.state(input)), params);
        return plan.output(Collections.nCopies(plan.outputCount(), solve.lift().output(h0)));
    }

    private boolean skipsMinibatches() {
        return layerConf().getSolveFailurePolicy() instanceof SolveFailurePolicy.SkipMinibatch;
    }

    /** Records the skip of this training minibatch, or fails where no listener would undo its update. */
    private void skip(FailedSolve e) {
        skips.requireAttached(e);
        // NaN parameters would make every later minibatch fail too: no skip can help
        diagnosis.rejectNonFiniteParameters(params);
        clearRecord();
        skips.record(e.getMessage(), getIterationCount());
    }

    /** Zero gradients for a skipped minibatch: finite, and discarded with its update. */
    private Pair<Gradient, INDArray> skippedGradient(LayerWorkspaceMgr workspaceMgr) {
        Gradient gradient = new DefaultGradient(gradientsFlat);
        gradientsFlat.assign(0);
        gradientViews.forEach(gradient::setGradientFor);
        INDArray inputGradient = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape());
        return new Pair<>(gradient, inputGradient.assign(0));
    }

    /**
     * The forward pass: an inference solve of the plain system, or a training solve of the system with
     * the regularisers' quadratures (the same when there are none), recorded for the backward pass
     * with its penalties measured.
     */
    private INDArray solve(boolean training) {
        clearRecord();
        OutputPlan plan = solve.plan(input);
        INDArray x = solve.solverArray(plan.state(input));
        FlowPenalties penalties = solve.penalties();
        Map<String, INDArray> p = training ? paramsWithWeightNoise() : params;
        Solution s;
        if (training) {
            // the probe among the constants is shaped like the initial state: make that first
            INDArray h0 = solve.solverArray(solve.lift().initialState(x, p));
            LayerSolve.bind(solve.trainingField(), p, penalties.constants(x, h0, solveIndex()));
            s = solve.forward(solve.trainingField(), x, params, penalties.initialState(h0), plan,
                    solve.gradientMethod(), null);
        } else {
            s = solve.forward(solve.field(), x, params, solve.bind(params, x), plan, null, null);
        }
        List<INDArray> states;
        try {
            diagnosis.checkFinite(x, params, s, plan);
            if (training) {
                List<INDArray> whole = s.states();
                penalties.measure(solve.trainingField(), plan.endTime(layerConf()), whole.get(whole.size() - 1));
            } else {
                penalties.clear();
            }
            states = s.states().stream().map(training ? penalties::odeState : y -> y).toList();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        if (training) {
            record = new TrainingRecord(s, input, x, p, plan);
        } else {
            s.close();
        }
        return plan.output(states.stream().map(solve.lift()::output).toList());
    }

    /**
     * Which probe a training solve draws: one per training iteration and layer, so a repeated forward
     * pass of the same iteration (a gradient check's) sees the same probe.
     */
    private long solveIndex() {
        return ((long) getIterationCount() << 20) + index;
    }

    /**
     * An analysis call, whose results are copies: its arrays go back to the pool after it, unless a
     * training pass's record (whose arrays are the pool's too) waits for its backward pass.
     */
    private <R> R analysed(Supplier<R> call) {
        try {
            return call.get();
        } finally {
            if (record == null) {
                solve.giveBackArrays();
            }
        }
    }

    private void clearRecord() {
        if (record != null) {
            record.solution().close();
            record = null;
        }
        solve.giveBackArrays();
    }

    /** DL4J's regularisation of the parameters plus the flow regularisers' penalties of the last training pass. */
    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        // none after an inference pass, which does not compute them
        return parameterRegularizationScore() + solve.penalties().total();
    }

    @Override
    public void clearNoiseWeightParams() {
        // a weight noise draw lives as long as the training pass's record, cleared with it
    }

    @Override
    public void clear() {
        super.clear();
        clearRecord();
    }

    @Override
    public Type type() {
        return layerConf().isConvolutional() ? Type.CONVOLUTIONAL : Type.FEED_FORWARD;
    }

    /**
     * What a training pass keeps for its backward pass: the solve, the input DL4J gave (to tell a new
     * input), the solver's copy of its state columns, the parameters the solve read and the output plan.
     */
    private record TrainingRecord(Solution solution, INDArray input, INDArray x, Map<String, INDArray> params,
                                  OutputPlan plan) {
    }
}
