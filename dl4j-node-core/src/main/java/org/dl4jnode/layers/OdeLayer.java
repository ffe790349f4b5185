package org.dl4jnode.layers;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.conf.GradientComputation;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.SolveFailurePolicy;
import org.dl4jnode.samediff.runtime.FieldFunction;
import org.dl4jnode.samediff.runtime.GradientMethod;
import org.dl4jnode.samediff.runtime.Gradients;
import org.dl4jnode.samediff.runtime.OdeSolve;
import org.dl4jnode.samediff.runtime.SolveThreads;
import org.dl4jnode.samediff.runtime.SolveFailure;
import org.dl4jnode.samediff.runtime.Solution;
import org.dl4jnode.samediff.solve.AdaptiveGrid;
import org.dl4jnode.samediff.solve.ArrayAlgebra;
import org.dl4jnode.samediff.solve.ArrayPool;
import org.dl4jnode.samediff.solve.FixedGrid;
import org.dl4jnode.samediff.solve.SolveStatistics;
import org.dl4jnode.samediff.solve.Step;
import org.dl4jnode.samediff.solve.TimeGrid;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.learning.regularization.Regularization;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Runtime of the ODE layers ({@link org.dl4jnode.conf.OdeLayer} and its relatives).
 *
 * <p>The layer adapts one call, {@link OdeSolve#solve}: the field as a SameDiff graph
 * ({@link FieldFunction}, bound to the layer's parameters and input), h(t0), the layer's grid (or its
 * segments between output times), the Runge-Kutta method and a {@link GradientMethod}; the backward
 * pass is {@link Solution#backward} with the outputs' cotangents. The layer's {@link GradientMode}
 * picks the method in one place: {@link GradientMethod#backprop()}, the exact reverse of the recorded
 * steps, or {@link GradientMethod#adjoint}, the adjoint system solved from t1 back to t0. Both are
 * built from the field's vector-Jacobian products. The right-hand side is the layer's
 * {@link org.dl4jnode.samediff.system.OdeSystem} (second order, data control, adaptive depth); an
 * augmentation's lift from the input to h(t0), and the output's projection, are done around the solve
 * ({@link StateLift}). All intermediate arrays live outside DL4J's workspaces; only the layer's output
 * and input gradient are handed over to them.
 */
public class OdeLayer extends AbstractLayer<BaseOdeLayer> {

    private static final long serialVersionUID = 1L;
    /**
     * Activations a training solve keeps for its backward pass; the stages of a longer solve are
     * recomputed there instead, so memory stays bounded however many steps are taken.
     */
    static final long TAPE_BUDGET_BYTES = 64L << 20;
    /** A layer's retried solves are logged the first time and every this many after. */
    private static final long RETRY_LOG_INTERVAL = 100;
    private static final Logger log = LoggerFactory.getLogger(OdeLayer.class);

    private INDArray paramsFlat;
    private INDArray gradientsFlat;
    private Map<String, INDArray> params;
    private Map<String, INDArray> gradientViews;

    private transient FieldFunction field;
    /** The field of training solves, with the integral regularisers' quadratures; {@link #field} without them. */
    private transient FieldFunction trainingField;
    private transient FlowPenalties penalties;
    private transient StateLift lift;
    /** The solve's states, reused from solve to solve; all of them are dead once the record is cleared. */
    private transient ArrayPool states;
    /** The training solve, for its backward pass. */
    private transient Solution solution;
    private transient INDArray recordedInput;
    /** The input as the solve read it (detached, in the layer's data type). */
    private transient INDArray recordedX;
    /** The parameters the training solve read: the layer's, or the weight noise's draw from them. */
    private transient Map<String, INDArray> recordedParams;
    /** The training solve's output times and how its outputs make the layer's. */
    private transient OutputPlan recordedPlan;
    private long retriedSolves;
    private transient MinibatchSkips skips;
    private long lastForwardEvaluations;
    private long lastBackwardEvaluations;
    private SolveStatistics lastForwardStatistics = new SolveStatistics();
    private SolveStatistics lastBackwardStatistics = new SolveStatistics();

    public OdeLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        if (layerConf().isConvolutional()) {
            PlainBuildNotice.forConvolutionalLayer(layerConf().describe());
        }
    }

    /** Forward solves that failed and were solved again on a fixed grid ({@code onSolveFailure}). */
    public long retriedSolves() {
        return retriedSolves;
    }

    /** The training minibatches this layer skipped ({@code onSolveFailure(skipMinibatch())}). */
    public MinibatchSkips minibatchSkips() {
        if (skips == null) {
            skips = new MinibatchSkips();
        }
        return skips;
    }

    /** Number of evaluations of the field in the last forward pass. */
    public long lastForwardEvaluations() {
        return lastForwardEvaluations;
    }

    /** Number of vector-Jacobian products of the field in the last backward pass. */
    public long lastBackwardEvaluations() {
        return lastBackwardEvaluations;
    }

    /** The last forward solve's accepted and rejected steps and step sizes, over all its segments. */
    public SolveStatistics lastForwardStatistics() {
        return lastForwardStatistics;
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
        return penalties().values();
    }

    /**
     * The field's parameters at depth t, by the field's keys ({@code W0}, {@code b0}, ...), shaped as
     * the field declares them: for a {@link org.dl4jnode.conf.GalerkinOdeLayer} the reconstructed
     * {@code W(t) = sum_j C_j psi_j(t)}, for an {@link org.dl4jnode.conf.OdeLayer} its (constant)
     * weights. Copies; evaluated with the same graph ops as the solver uses.
     */
    public Map<String, INDArray> weightsAt(double t) {
        FieldFunction f = field();
        f.bind(params);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return f.fieldParameters(t);
        }
    }

    /**
     * The ODE's states along the forward solve from the layer input {@code x} (shaped as the layer's
     * input): h(t0) as the augmentation makes it, then the state after every step (every accepted step
     * of an adaptive solve), each {@code [minibatch, D, ...]} with the whole state D. The same solve
     * as the forward pass, with the current parameters; for pictures and analysis, not for training.
     */
    public List<INDArray> trajectory(INDArray x) {
        List<INDArray> states = new ArrayList<>();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            OutputPlan plan = plan(x);
            INDArray detached = solverArray(plan.state(x));
            INDArray y0 = bind(detached);
            states.add(y0.dup());
            try (Solution s = forward(field(), detached, y0, plan, null, step -> states.add(step.next().dup()))) {
                checkFinite(detached, s, plan);
            }
        } finally {
            releaseAnalysisArrays();
        }
        return states;
    }

    /**
     * h(t0) for the layer input {@code x}: the whole ODE state the augmentation makes,
     * {@code [minibatch, D, ...]}. For analysis; a copy.
     */
    public INDArray initialState(INDArray x) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return lift().initialState(solverArray(plan(x).state(x)), params).dup();
        } finally {
            releaseAnalysisArrays();
        }
    }

    /**
     * h(t1) from the state {@code h0} ({@code [minibatch, D, ...]}, such as a perturbed
     * {@link #initialState}), the field reading the layer input {@code x} where it reads one: the
     * layer's solve from another starting point, with the current parameters. For analysis (such as
     * {@link LyapunovEstimator}); a copy of the whole state.
     */
    public INDArray finalStateFrom(INDArray x, INDArray h0) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            OutputPlan plan = plan(x);
            INDArray detached = solverArray(plan.state(x));
            long[] stateShape = layerConf().stateShape();
            long[] expected = new long[stateShape.length + 1];
            expected[0] = x.size(0);
            System.arraycopy(stateShape, 0, expected, 1, stateShape.length);
            if (!Arrays.equals(h0.shape(), expected)) {
                throw new IllegalArgumentException(where() + ": a starting state must have the shape of h(t0), "
                        + Arrays.toString(expected) + ", got " + Arrays.toString(h0.shape()));
            }
            bindField(field(), params, detached);
            try (Solution s = forward(field(), detached, solverArray(h0).dup(), plan, null, null)) {
                checkFinite(detached, s, plan);
                List<INDArray> states = s.states();
                return states.get(states.size() - 1).dup();
            }
        } finally {
            releaseAnalysisArrays();
        }
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
        FieldFunction f = field();
        if (f.readsInput()) {
            throw new IllegalStateException(where() + ": the right-hand side reads the layer's input (data control "
                    + "or adaptive depth), so it has no value without an input; use trajectory(x)");
        }
        f.bind(params);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return f.evaluate(t, solverArray(h));
        } finally {
            releaseAnalysisArrays();
        }
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        validateInput();
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
        if (minibatchSkips().skipping(getIterationCount())) {
            return skippedGradient(workspaceMgr);
        }
        Gradient gradient = new DefaultGradient(gradientsFlat);
        INDArray inputGradient;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces();
             SolveThreads threads = SolveThreads.open(input.length())) {
            if (solution == null || recordedInput != input) {
                solve(true);
            }
            FieldFunction f = trainingField();
            long before = f.vjpEvaluations();
            Gradients g;
            try {
                g = penalties().complete(solution.backward(penalties().solveStateBars(outputGradients(epsilon))));
            } catch (SolveFailure e) {
                if (!skipsMinibatches()) {
                    throw failure(e);
                }
                skip(failure(e));
                return skippedGradient(workspaceMgr);
            }
            lastBackwardEvaluations = f.vjpEvaluations() - before;
            lastBackwardStatistics = solution.backwardStatistics();
            g.params().forEach((key, value) -> gradientViews.get(key).assign(value));
            // the input layer's gradients are written by the lift
            inputGradient = lift().inputGradient(recordedX, g.initialState(), recordedParams, gradientViews);
            if (g.input() != null) {
                inputGradient = inputGradient.add(g.input());
            }
            inputGradient = recordedPlan.inputGradient(inputGradient);
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
        for (INDArray bar : recordedPlan.outputCotangents(epsilon)) {
            bars.add(solverArray(lift().finalStateGradient(bar)));
        }
        return bars;
    }

    /**
     * The training forward pass, or under {@code skipMinibatch} h(t0) at every output time when its
     * solve fails: the minibatch's update is undone by the listener, so the output only has to be
     * finite and shaped.
     */
    private INDArray trainingSolve() {
        MinibatchSkips skips = minibatchSkips();
        long iteration = getIterationCount();
        Optional<String> unserved = skips.unservedBefore(iteration);
        if (unserved.isPresent()) {
            throw new IllegalStateException(where() + ": an earlier training minibatch was skipped (" + unserved.get()
                    + ") and its update was not undone; onSolveFailure(skipMinibatch) needs "
                    + "SkipMinibatchListener.attachTo(network) among the network's listeners");
        }
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
        OutputPlan plan = plan(input);
        INDArray h0 = lift().initialState(solverArray(plan.state(input)), params);
        return plan.output(Collections.nCopies(plan.outputCount(), lift().output(h0)));
    }

    private boolean skipsMinibatches() {
        return layerConf().getSolveFailurePolicy() instanceof SolveFailurePolicy.SkipMinibatch;
    }

    /** Records the skip of this training minibatch, or fails where no listener would undo its update. */
    private void skip(FailedSolve e) {
        MinibatchSkips skips = minibatchSkips();
        if (!skips.attached()) {
            throw new IllegalStateException(e.getMessage() + "; onSolveFailure(skipMinibatch) would skip this "
                    + "minibatch, but no SkipMinibatchListener undoes its update: add one with "
                    + "SkipMinibatchListener.attachTo(network)", e);
        }
        // NaN parameters would make every later minibatch fail too: no skip can help
        rejectNonFiniteParameters();
        clearRecord();
        skips.record(e.getMessage(), getIterationCount());
        if (skips.count() % RETRY_LOG_INTERVAL == 1) {
            log.warn("{}; skipping this minibatch (onSolveFailure = skipMinibatch; skip {} of this layer, logged "
                    + "every {}th)", e.getMessage(), skips.count(), RETRY_LOG_INTERVAL);
        }
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
        OutputPlan plan = plan(input);
        INDArray x = solverArray(plan.state(input));
        Solution s;
        Map<String, INDArray> p = training ? trainingParams() : params;
        if (training) {
            // the probe among the constants is shaped like the initial state: make that first
            INDArray h0 = solverArray(lift().initialState(x, p));
            bindField(trainingField(), p, penalties().constants(x, h0, solveIndex()));
            s = forward(trainingField(), x, penalties().initialState(h0), plan, gradientMethod(), null);
        } else {
            s = forward(field(), x, bind(x), plan, null, null);
        }
        List<INDArray> states;
        try {
            checkFinite(x, s, plan);
            if (training) {
                List<INDArray> whole = s.states();
                penalties().measure(trainingField(), plan.endTime(layerConf()), whole.get(whole.size() - 1));
            } else {
                penalties().clear();
            }
            states = s.states().stream().map(training ? penalties()::odeState : y -> y).toList();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        if (training) {
            solution = s;
            recordedInput = input;
            recordedX = x;
            recordedParams = p;
            recordedPlan = plan;
        } else {
            s.close();
        }
        return plan.output(states.stream().map(lift()::output).toList());
    }

    /** The output times of a pass over {@code x}: the layer's, or each example's in its last columns. */
    private OutputPlan plan(INDArray x) {
        return OutputPlan.of(layerConf(), x, where());
    }

    /**
     * Which probe a training solve draws: one per training iteration and layer, so a repeated forward
     * pass of the same iteration (a gradient check's) sees the same probe.
     */
    private long solveIndex() {
        return ((long) getIterationCount() << 20) + index;
    }

    /**
     * The parameters a training solve reads: the layer's own, or with DL4J's weight noise
     * ({@code DropConnect}, {@code WeightNoise}) a fresh draw from them, as DL4J's layers use it: the
     * forward and backward passes both see the noisy weights, and their gradient updates the weights.
     */
    private Map<String, INDArray> trainingParams() {
        IWeightNoise noise = layerConf().getWeightNoise();
        if (noise == null) {
            return params;
        }
        Map<String, INDArray> noisy = new LinkedHashMap<>();
        params.forEach((key, value) -> noisy.put(key, noise.getParameter(this, key, getIterationCount(),
                getEpochCount(), true, LayerWorkspaceMgr.noWorkspaces())));
        return noisy;
    }

    /** How this layer's gradients are computed: the one place its gradient mode is read. */
    private GradientMethod gradientMethod() {
        BaseOdeLayer conf = layerConf();
        if (conf.getGradientComputation() instanceof GradientComputation.Checkpointed checkpointed) {
            return GradientMethod.checkpointed(checkpointed.memoryBytes());
        }
        if (!(conf.getGradientComputation() instanceof GradientComputation.Adjoint adjoint)) {
            return GradientMethod.backprop();
        }
        UnaryOperator<TimeGrid> backwards = forward -> SolveGrids.adjoint(conf, forward);
        return adjoint.seminorm() ? GradientMethod.adjointWithSeminorm(backwards) : GradientMethod.adjoint(backwards);
    }

    /**
     * The forward solve of {@code f} from {@code y0} over the layer's grid, or its segments between
     * the plan's output times ({@link SolveGrids#forward}); the field is bound already.
     *
     * @param x the layer input's state columns, blamed when the solve fails on a NaN in them
     */
    private Solution forward(FieldFunction f, INDArray x, INDArray y0, OutputPlan plan, GradientMethod gradient,
                             Consumer<Step<INDArray>> onStep) {
        BaseOdeLayer conf = layerConf();
        double[] times = plan.times();
        Solution s;
        try {
            s = conf.isInterpolateOutputs()
                    ? OdeSolve.solveInterpolated(f, y0, SolveGrids.interpolated(conf, times),
                            SolveGrids.forward(conf, times), conf.getSolver().tableau(), gradient, statePool(),
                            TAPE_BUDGET_BYTES, onStep)
                    : OdeSolve.solve(f, y0, SolveGrids.forward(conf, times), conf.getSolver().tableau(), gradient,
                            statePool(), TAPE_BUDGET_BYTES, onStep);
        } catch (SolveFailure e) {
            rejectNonFinite(x);
            if (!(conf.getSolveFailurePolicy() instanceof SolveFailurePolicy.RetryOnFixedGrid retry)) {
                throw failure(e);
            }
            retriedSolves++;
            if (retriedSolves % RETRY_LOG_INTERVAL == 1) {
                log.warn("{}: {}; solving again on {} equal steps (onSolveFailure = {}; retry {} of this layer, "
                        + "logged every {}th)", where(), failure(e).getMessage(), retry.steps(), retry, retriedSolves,
                        RETRY_LOG_INTERVAL);
            }
            try {
                s = OdeSolve.solve(f, y0, SolveGrids.forward(conf, retry.stepping(), times), conf.getSolver().tableau(),
                        gradient, statePool(), TAPE_BUDGET_BYTES, onStep);
            } catch (SolveFailure again) {
                throw failure(again);
            }
        }
        lastForwardEvaluations = s.evaluations();
        lastForwardStatistics = s.statistics();
        return s;
    }

    /** Every output state is finite, or an error blaming the input, the parameters or the step size. */
    private void checkFinite(INDArray x, Solution s, OutputPlan plan) {
        for (int k = 0; k < s.states().size(); k++) {
            if (!ArrayAlgebra.isFinite(s.states().get(k))) {
                rejectNonFinite(x);
                BaseOdeLayer conf = layerConf();
                double t = plan.timeOf(k, conf);
                throw new FailedSolve(where() + ": the ODE state became NaN or infinite by t = " + t
                        + " (" + stepping(SolveGrids.whole(conf)) + "); the field may be too steep for this step size");
            }
        }
    }

    /** Binds the parameters (and the input, for a field that reads it) to the field; returns h(t0). */
    private INDArray bind(INDArray x) {
        bindField(field(), params, x);
        return solverArray(lift().initialState(x, params));
    }

    /** Binds {@code p}, and the constants {@code input} for a field that reads them, to {@code f}. */
    private void bindField(FieldFunction f, Map<String, INDArray> p, INDArray input) {
        f.bind(p);
        if (f.readsInput()) {
            f.bindInput(input);
        }
    }

    private ArrayPool statePool() {
        if (states == null) {
            states = new ArrayPool(TAPE_BUDGET_BYTES);
        }
        return states;
    }

    /**
     * {@code a} as the solver's arrays are: detached from DL4J's workspaces, of the layer's data type
     * and dense in 'c' order (DL4J hands over 'f'-ordered activations and gradients; element-wise
     * ops between orderings run on libnd4j's slow per-element index path). A copy, when one is needed,
     * is the state pool's, valid until the layer's record is cleared.
     */
    private INDArray solverArray(INDArray a) {
        if (!a.isAttached() && a.dataType() == dataType && ArrayAlgebra.isDenseC(a)) {
            return a;
        }
        // a copy from the solve's pool, not a fresh array: it goes back with the solve's other arrays
        return statePool().take(dataType, a.shape()).assign(a.dataType() == dataType ? a : a.castTo(dataType));
    }

    private FailedSolve failure(SolveFailure e) {
        TimeGrid grid = e.grid();
        return new FailedSolve(where() + ", " + e.pass() + " (" + stepping(grid) + " from " + grid.t0()
                + " to " + grid.t1() + "): " + e.getMessage() + ", NFE so far " + e.evaluations(), e);
    }

    private String stepping(TimeGrid grid) {
        BaseOdeLayer conf = layerConf();
        if (grid instanceof AdaptiveGrid adaptive) {
            return conf.getSolver() + " with rtol = " + adaptive.tolerances().rtol() + ", atol = "
                    + adaptive.tolerances().atol();
        }
        return (grid instanceof FixedGrid fixed ? fixed.steps() : "?") + " steps of " + conf.getSolver();
    }

    private String where() {
        return layerConf().describe() + " (index " + index + ")";
    }

    /**
     * Called when a forward solve failed: blames the layer's input or parameters when they hold NaN or
     * infinite values, so the message points at the cause, not at the field's steepness. Checked only
     * after a failure, so a healthy solve pays nothing for it.
     */
    private void rejectNonFinite(INDArray x) {
        INDArray rows = x.reshape(x.size(0), x.length() / x.size(0));
        INDArray perExample = Nd4j.getExecutioner().exec(new MatchCondition(rows, Conditions.notFinite(), 1));
        long count = perExample.sumNumber().longValue();
        if (count > 0) {
            long first = 0;
            while (perExample.getDouble(first) == 0) {
                first++;
            }
            throw new IllegalArgumentException(where() + ": the layer input holds " + count + " NaN or infinite "
                    + "value(s) (the first in example " + first + " of " + x.size(0) + "); an ODE cannot be solved "
                    + "from it, check the data and the layers before this one");
        }
        rejectNonFiniteParameters();
    }

    private void rejectNonFiniteParameters() {
        for (Map.Entry<String, INDArray> p : paramTable().entrySet()) {
            if (!ArrayAlgebra.isFinite(p.getValue())) {
                throw new IllegalStateException(where() + ": parameter " + p.getKey() + " holds NaN or infinite "
                        + "values; training diverged before this solve (lower the learning rate or clip gradients)");
            }
        }
    }

    private FieldFunction field() {
        if (field == null) {
            BaseOdeLayer conf = layerConf();
            field = new FieldFunction(conf.odeSystem(), conf.parameterization(), conf.stateShape(), dataType);
        }
        return field;
    }

    private FieldFunction trainingField() {
        if (trainingField == null) {
            BaseOdeLayer conf = layerConf();
            if (conf.integralRegularizers().isEmpty()) {
                // the training system is the plain one: share its compiled graph
                trainingField = field();
            } else {
                long[] shape = conf.stateShape();
                shape[0] = penalties().system().solveStateSize();
                trainingField = new FieldFunction(penalties().system(), conf.parameterization(), shape, dataType);
            }
        }
        return trainingField;
    }

    private FlowPenalties penalties() {
        if (penalties == null) {
            penalties = new FlowPenalties(layerConf());
        }
        return penalties;
    }

    private StateLift lift() {
        if (lift == null) {
            BaseOdeLayer conf = layerConf();
            lift = new StateLift(conf.augmentation(), conf.getNIn(), conf.getNOut());
        }
        return lift;
    }

    /**
     * After an analysis call, whose results are copies: its arrays go back to the pool, unless a training
     * pass's record (whose arrays are the pool's too) waits for its backward pass.
     */
    private void releaseAnalysisArrays() {
        if (solution == null && states != null) {
            states.giveBackAll();
        }
    }

    private void clearRecord() {
        if (solution != null) {
            solution.close();
            solution = null;
        }
        if (states != null) {
            states.giveBackAll();
        }
        recordedInput = null;
        recordedX = null;
        recordedParams = null;
        recordedPlan = null;
    }

    private void validateInput() {
        BaseOdeLayer conf = layerConf();
        long[] expected = conf.stateShape();
        expected[0] = conf.getNIn() + conf.getOutputTimesFromInput();
        boolean matches = input.rank() == expected.length + 1;
        for (int i = 0; matches && i < expected.length; i++) {
            matches = input.size(i + 1) == expected[i];
        }
        if (!matches) {
            throw new DL4JInvalidInputException(where() + ": expected input [minibatch, "
                    + Arrays.toString(expected).replaceAll("[\\[\\]]", "") + "]"
                    + (conf.hasOutputTimesFromInput() ? " (the state's " + conf.getNIn() + " columns, then "
                    + conf.getOutputTimesFromInput() + " columns of output times)" : "") + ", got "
                    + Arrays.toString(input.shape()));
        }
    }

    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        double score = 0;
        // DL4J's lookup by parameter asks the parameter initializer which keys are weights, which builds the
        // parameter list anew: at every iteration, so only when some regularization is configured
        if (hasRegularization()) {
            for (Map.Entry<String, INDArray> e : params.entrySet()) {
                List<Regularization> regs = layerConf().getRegularizationByParam(e.getKey());
                if (regs != null) {
                    for (Regularization r : regs) {
                        score += r.score(e.getValue(), getIterationCount(), getEpochCount());
                    }
                }
            }
        }
        // the flow regularisers' penalties of the last training pass (none after an inference pass)
        return score + penalties().total();
    }

    private boolean hasRegularization() {
        BaseOdeLayer conf = layerConf();
        return (conf.getRegularization() != null && !conf.getRegularization().isEmpty())
                || (conf.getRegularizationBias() != null && !conf.getRegularizationBias().isEmpty());
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
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

    @Override
    public INDArray params() {
        return paramsFlat;
    }

    @Override
    public long numParams() {
        return paramsFlat == null ? 0 : paramsFlat.length();
    }

    @Override
    public INDArray getParam(String key) {
        return params.get(key);
    }

    @Override
    public void setParam(String key, INDArray value) {
        INDArray current = params.get(key);
        if (current == null) {
            throw new IllegalArgumentException(layerConf().describe() + ": no parameter '" + key + "'; parameters are "
                    + params.keySet());
        }
        if (!Arrays.equals(current.shape(), value.shape())) {
            throw new IllegalArgumentException(layerConf().describe() + ": parameter '" + key + "' has shape "
                    + Arrays.toString(current.shape()) + ", cannot set an array of shape "
                    + Arrays.toString(value.shape()));
        }
        current.assign(value);
    }

    @Override
    public void setParams(INDArray params) {
        if (params == paramsFlat) {
            return;
        }
        if (params == null || params.length() != numParams()) {
            throw new IllegalArgumentException(layerConf().describe() + ": expected " + numParams()
                    + " parameters, got " + (params == null ? "null" : params.length()));
        }
        paramsFlat.assign(params.reshape(paramsFlat.shape()));
    }

    @Override
    public void setParamsViewArray(INDArray params) {
        this.paramsFlat = params;
    }

    @Override
    public INDArray getGradientsViewArray() {
        return gradientsFlat;
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray gradients) {
        this.gradientsFlat = gradients;
        this.gradientViews = layerConf().initializer().getGradientsFromFlattened(conf, gradients);
    }

    @Override
    public void setParamTable(Map<String, INDArray> paramTable) {
        if (params == null) {
            params = paramTable;
        } else {
            paramTable.forEach(this::setParam);
        }
    }

    @Override
    public Map<String, INDArray> paramTable() {
        return params;
    }

    @Override
    public Map<String, INDArray> paramTable(boolean backpropParamsOnly) {
        return params;
    }

    /** A solve that could not finish or whose state stopped being finite: what skipMinibatch skips. */
    private static final class FailedSolve extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        FailedSolve(String message) {
            super(message);
        }

        FailedSolve(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
