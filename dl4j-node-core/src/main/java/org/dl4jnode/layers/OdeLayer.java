package org.dl4jnode.layers;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.samediff.runtime.AdjointBackprop;
import org.dl4jnode.samediff.runtime.DiscreteBackprop;
import org.dl4jnode.samediff.runtime.EvaluationTape;
import org.dl4jnode.samediff.runtime.FieldFunction;
import org.dl4jnode.samediff.runtime.Gradients;
import org.dl4jnode.samediff.solve.AdaptiveGrid;
import org.dl4jnode.samediff.solve.ArrayAlgebra;
import org.dl4jnode.samediff.solve.ArrayPool;
import org.dl4jnode.samediff.solve.ErrorNorm;
import org.dl4jnode.samediff.solve.IntegrationException;
import org.dl4jnode.samediff.solve.RungeKutta;
import org.dl4jnode.samediff.solve.Step;
import org.dl4jnode.samediff.solve.TimeGrid;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runtime of the ODE layers ({@link org.dl4jnode.conf.OdeLayer} and its relatives).
 *
 * <p>The forward pass steps the configured Runge-Kutta method in Java over a {@link FieldFunction}
 * (the field as a SameDiff graph), on a fixed grid or with adaptive steps. With
 * {@link GradientMode#BACKPROP} training records every (accepted) step and the backward pass is their
 * exact reverse ({@link DiscreteBackprop}); with {@link GradientMode#ADJOINT} it keeps only the output
 * and the backward pass solves the adjoint system from t1 back to t0 ({@link AdjointBackprop}). Both
 * are built from the field's vector-Jacobian products. The right-hand side is the layer's
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

    private INDArray paramsFlat;
    private INDArray gradientsFlat;
    private Map<String, INDArray> params;
    private Map<String, INDArray> gradientViews;

    private transient FieldFunction field;
    private transient StateLift lift;
    /** The solve's states, reused from solve to solve; all of them are dead once the record is cleared. */
    private transient ArrayPool states;
    private transient List<Step<INDArray>> record;
    /** The forward solve's evaluations, kept for {@link #record}'s backward pass. */
    private transient EvaluationTape tape;
    private transient INDArray recordedInput;
    /** The input as the solve read it (detached, in the layer's data type). */
    private transient INDArray recordedX;
    /** z(t1), the whole final state (the output may keep only part of it). */
    private transient INDArray recordedFinalState;
    /** With output times: the whole state at each of them, and the number of steps taken up to each. */
    private transient List<INDArray> recordedStates;
    private transient int[] recordedStepCounts;
    private long lastForwardEvaluations;
    private long lastBackwardEvaluations;

    public OdeLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Number of evaluations of the field in the last forward pass. */
    public long lastForwardEvaluations() {
        return lastForwardEvaluations;
    }

    /** Number of vector-Jacobian products of the field in the last backward pass. */
    public long lastBackwardEvaluations() {
        return lastBackwardEvaluations;
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
            INDArray detached = solverArray(x);
            states.add(lift().initialState(detached, params).dup());
            try (EvaluationTape evaluations = field().tape()) {
                integrate(detached, evaluations, false, ArrayAlgebra.INSTANCE, step -> states.add(step.next()));
            }
        }
        return states;
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
        }
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        validateInput();
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray out;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            out = solve(training);
        }
        return workspaceMgr.dup(ArrayType.ACTIVATIONS, out);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        Gradient gradient = new DefaultGradient(gradientsFlat);
        INDArray inputGradient;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (recordedFinalState == null || recordedInput != input) {
                solve(true);
            }
            FieldFunction f = field();
            // the solve's own binding: a trajectory(x) or output call since may have bound another input
            bindField(recordedX);
            long before = f.vjpEvaluations();
            Gradients g;
            if (layerConf().hasOutputTimes()) {
                g = backwardFromOutputs(f, epsilon);
            } else {
                INDArray finalBar = solverArray(lift().finalStateGradient(epsilon));
                g = layerConf().getGradientMode() == GradientMode.ADJOINT
                        ? adjoint(f, layerConf().timeGrid(), recordedFinalState, finalBar)
                        : DiscreteBackprop.backward(tape, layerConf().getSolver().tableau(), record, finalBar);
            }
            lastBackwardEvaluations = f.vjpEvaluations() - before;
            g.params().forEach((key, value) -> gradientViews.get(key).assign(value));
            // the input layer's gradients are written by the lift
            inputGradient = lift().inputGradient(recordedX, g.initialState(), params, gradientViews);
            if (g.input() != null) {
                inputGradient = inputGradient.add(g.input());
            }
            gradientViews.forEach(gradient::setGradientFor);
            clearRecord();
        }
        return new Pair<>(gradient, workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, inputGradient));
    }

    /**
     * The backward pass of a solve that output the state at several times: each output's cotangent
     * (a time slice of {@code epsilon}, {@code [minibatch, d, T]}) joins the one flowing back as the
     * pass reaches its time, through the recorded steps (backprop) or the adjoint solved segment by
     * segment, each segment from the forward state at its end.
     */
    private Gradients backwardFromOutputs(FieldFunction f, INDArray epsilon) {
        BaseOdeLayer conf = layerConf();
        int outputs = recordedStates.size();
        List<INDArray> bars = new ArrayList<>();
        for (int k = 0; k < outputs; k++) {
            bars.add(solverArray(lift().finalStateGradient(
                    epsilon.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(k)))));
        }
        if (conf.getGradientMode() == GradientMode.ADJOINT) {
            List<TimeGrid> grids = conf.outputGrids();
            INDArray a = bars.get(outputs - 1);
            Map<String, INDArray> params = new java.util.LinkedHashMap<>();
            INDArray input = null;
            for (int k = outputs - 1; k >= 0; k--) {
                if (k < outputs - 1) {
                    a.addi(bars.get(k));
                }
                if (grids.get(k) == null) {
                    continue; // this output is h(t0): nothing to integrate before it
                }
                Gradients segment = adjoint(f, grids.get(k), recordedStates.get(k), a);
                a = segment.initialState();
                segment.params().forEach((key, g) -> params.merge(key, g, INDArray::addi));
                if (segment.input() != null) {
                    input = input == null ? segment.input() : input.addi(segment.input());
                }
            }
            return new Gradients(a, params, input);
        }
        Map<Integer, INDArray> jumps = new java.util.HashMap<>();
        INDArray atStart = null;
        for (int k = 0; k < outputs - 1; k++) {
            int step = recordedStepCounts[k] - 1;
            if (step >= 0) {
                jumps.put(step, bars.get(k));
            } else {
                atStart = bars.get(k);
            }
        }
        Gradients g = DiscreteBackprop.backward(tape, conf.getSolver().tableau(), record, bars.get(outputs - 1), jumps);
        if (atStart != null) {
            g.initialState().addi(atStart);
        }
        return g;
    }

    /** The adjoint's backward solve over {@code forward}'s span, from the state at its end. */
    private Gradients adjoint(FieldFunction f, TimeGrid forward, INDArray finalState, INDArray outputBar) {
        BaseOdeLayer conf = layerConf();
        TimeGrid grid = conf.adjointGrid(forward);
        long before = f.evaluations();
        Gradients g;
        try {
            g = AdjointBackprop.backward(f, method(ArrayAlgebra.INSTANCE), grid, norm(grid), finalState, outputBar);
        } catch (IntegrationException e) {
            throw failure("the adjoint solve", grid, e, f.evaluations() - before);
        }
        boolean finite = isFinite(g.initialState()) && g.params().values().stream().allMatch(OdeLayer::isFinite);
        if (!finite) {
            throw new IllegalStateException(where() + ": the adjoint state became NaN or infinite on the way back "
                    + "from t = " + grid.t0() + " to t = " + grid.t1() + " (" + stepping(grid)
                    + "); recomputing h backwards may be unstable for this field, try GradientMode.BACKPROP");
        }
        return g;
    }

    private INDArray solve(boolean training) {
        clearRecord();
        INDArray x = solverArray(input);
        // the adjoint needs the output only; backprop needs every step and every evaluation's activations
        boolean keep = training && layerConf().getGradientMode() == GradientMode.BACKPROP;
        List<Step<INDArray>> steps = keep ? new ArrayList<>() : null;
        EvaluationTape evaluations = field().tape(TAPE_BUDGET_BYTES);
        BaseOdeLayer conf = layerConf();
        int[] stepCounts = conf.hasOutputTimes() ? new int[conf.getOutputTimes().length] : null;
        List<INDArray> atTimes = null;
        INDArray out;
        try {
            ArrayAlgebra algebra = ArrayAlgebra.pooled(statePool());
            if (stepCounts != null) {
                atTimes = integrateAtOutputTimes(x, evaluations, keep, algebra, steps == null ? null : steps::add,
                        stepCounts);
                out = atTimes.get(atTimes.size() - 1);
            } else {
                out = integrate(x, evaluations, keep, algebra, steps == null ? null : steps::add);
            }
        } catch (RuntimeException e) {
            evaluations.close();
            throw e;
        }
        if (!keep) {
            evaluations.close();
        }
        record = steps;
        tape = keep ? evaluations : null;
        recordedFinalState = training ? out : null;
        recordedInput = training ? input : null;
        recordedX = training ? x : null;
        recordedStates = training ? atTimes : null;
        recordedStepCounts = training ? stepCounts : null;
        if (atTimes == null) {
            return lift().output(out);
        }
        INDArray[] outputs = new INDArray[atTimes.size()];
        for (int k = 0; k < outputs.length; k++) {
            outputs[k] = lift().output(atTimes.get(k));
        }
        return Nd4j.stack(2, outputs);
    }

    /**
     * The forward solve from the layer input x: lift to h(t0), integrate over the layer's grid with
     * {@code rhs}, the field's tape (each accepted step to {@code onStep}, which may be null), check
     * the result. Unless {@code keepEvaluations} (a backward pass will read them), the tape lets go of
     * every evaluation but the last slope after each accepted step, and the step's states go back to
     * the pool, so memory does not grow with NFE.
     *
     * @param algebra where the states come from: the layer's pool, or fresh arrays for states handed out
     * @return h(t1), the whole final state (its own array, not the tape's)
     */
    private INDArray integrate(INDArray x, EvaluationTape rhs, boolean keepEvaluations, ArrayAlgebra algebra,
                               Consumer<Step<INDArray>> onStep) {
        FieldFunction f = field();
        INDArray y0 = bind(x);
        long before = f.evaluations();
        INDArray out = integrateOn(layerConf().timeGrid(), x, y0, rhs, keepEvaluations, algebra, onStep);
        lastForwardEvaluations = f.evaluations() - before;
        return out;
    }

    /**
     * As {@link #integrate}, stepping exactly to each of the layer's output times
     * ({@link BaseOdeLayer#outputGrids()}).
     *
     * @param stepCounts filled with the number of steps taken up to each output time
     * @return the whole state at each output time, each its own array
     */
    private List<INDArray> integrateAtOutputTimes(INDArray x, EvaluationTape rhs, boolean keepEvaluations,
                                                  ArrayAlgebra algebra, Consumer<Step<INDArray>> onStep,
                                                  int[] stepCounts) {
        FieldFunction f = field();
        INDArray y = bind(x);
        long before = f.evaluations();
        int[] taken = {0};
        Consumer<Step<INDArray>> counting = step -> {
            taken[0]++;
            if (onStep != null) {
                onStep.accept(step);
            }
        };
        List<TimeGrid> grids = layerConf().outputGrids();
        List<INDArray> states = new ArrayList<>();
        for (int k = 0; k < grids.size(); k++) {
            if (grids.get(k) != null) {
                y = integrateOn(grids.get(k), x, y, rhs, keepEvaluations, algebra, counting);
            }
            // the next segment's first step hands its start state back to the pool: keep a copy
            states.add(y.dup('c'));
            stepCounts[k] = taken[0];
        }
        lastForwardEvaluations = f.evaluations() - before;
        return states;
    }

    /** Binds the parameters (and the input, for a field that reads it) to the field; returns h(t0). */
    private INDArray bind(INDArray x) {
        bindField(x);
        return solverArray(lift().initialState(x, params));
    }

    /** Binds the parameters, and the input {@code x} for a field that reads it, to the field. */
    private void bindField(INDArray x) {
        FieldFunction f = field();
        f.bind(params);
        if (f.readsInput()) {
            f.bindInput(x);
        }
    }

    /**
     * Integrates {@code y0} over {@code grid} with {@code rhs}, the field's tape (each accepted step to
     * {@code onStep}, which may be null), and checks the result. Unless {@code keepEvaluations} (a
     * backward pass will read them), the tape lets go of every evaluation but the last slope after each
     * accepted step, and the step's states go back to the pool, so memory does not grow with NFE.
     *
     * @param x the layer input, blamed when the solve fails on a NaN in it
     * @return the state at the grid's end (not the tape's array)
     */
    private INDArray integrateOn(TimeGrid grid, INDArray x, INDArray y0, EvaluationTape rhs, boolean keepEvaluations,
                                 ArrayAlgebra algebra, Consumer<Step<INDArray>> onStep) {
        FieldFunction f = field();
        long before = f.evaluations();
        INDArray out;
        try {
            Consumer<Step<INDArray>> observer = keepEvaluations ? onStep : step -> {
                if (onStep != null) {
                    onStep.accept(step);
                }
                // the last slope may start the next step (first-same-as-last)
                rhs.releaseAllBut(step.stageSlopes().get(step.stageSlopes().size() - 1));
                releaseStates(step);
            };
            out = grid.integrate(method(algebra), rhs, y0, norm(grid), observer);
        } catch (IntegrationException e) {
            rejectNonFinite(x);
            throw failure("the forward solve", grid, e, f.evaluations() - before);
        }
        if (!isFinite(out)) {
            rejectNonFinite(x);
            throw new IllegalStateException(where() + ": the ODE state became NaN or infinite by t = " + grid.t1()
                    + " (" + stepping(grid) + "); the field may be too steep for this step size");
        }
        return out;
    }

    /** Gives a step's states back to the pool, all but its result, which the next step starts from. */
    private void releaseStates(Step<INDArray> step) {
        ArrayPool pool = statePool();
        pool.giveBack(step.y());
        for (int i = 1; i < step.stageStates().size(); i++) {
            pool.giveBack(step.stageStates().get(i));
        }
        pool.giveBack(step.error());
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
     * ops between orderings run on libnd4j's slow per-element index path).
     */
    private INDArray solverArray(INDArray a) {
        INDArray out = a.detach().castTo(dataType);
        return ArrayAlgebra.isDenseC(out) ? out : out.dup('c');
    }

    /** The layer's Runge-Kutta method over states from {@code algebra}. */
    private RungeKutta<INDArray> method(ArrayAlgebra algebra) {
        return new RungeKutta<>(layerConf().getSolver().tableau(), algebra);
    }

    /** The error norm of an adaptive grid's tolerances; a fixed grid controls no error (null). */
    private static ErrorNorm<INDArray> norm(TimeGrid grid) {
        return grid instanceof AdaptiveGrid adaptive ? ErrorNorm.rms(adaptive.tolerances()) : null;
    }

    private IllegalStateException failure(String pass, TimeGrid grid, IntegrationException e, long evaluations) {
        return new IllegalStateException(where() + ", " + pass + " (" + stepping(grid) + " from " + grid.t0() + " to "
                + grid.t1() + "): " + e.getMessage() + ", NFE so far " + evaluations, e);
    }

    private String stepping(TimeGrid grid) {
        BaseOdeLayer conf = layerConf();
        if (grid instanceof AdaptiveGrid adaptive) {
            return conf.getSolver() + " with rtol = " + adaptive.tolerances().rtol() + ", atol = "
                    + adaptive.tolerances().atol();
        }
        return conf.getSteps() + " steps of " + conf.getSolver();
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
        for (Map.Entry<String, INDArray> p : paramTable().entrySet()) {
            if (!isFinite(p.getValue())) {
                throw new IllegalStateException(where() + ": parameter " + p.getKey() + " holds NaN or infinite "
                        + "values; training diverged before this solve (lower the learning rate or clip gradients)");
            }
        }
    }

    private static boolean isFinite(INDArray array) {
        return Nd4j.getExecutioner().exec(new MatchCondition(array, Conditions.notFinite())).getInt(0) == 0;
    }

    private FieldFunction field() {
        if (field == null) {
            BaseOdeLayer conf = layerConf();
            field = new FieldFunction(conf.odeSystem(), conf.parameterization(), conf.stateShape(), dataType);
        }
        return field;
    }

    private StateLift lift() {
        if (lift == null) {
            BaseOdeLayer conf = layerConf();
            lift = new StateLift(conf.augmentation(), conf.getNIn(), conf.getNOut());
        }
        return lift;
    }

    private void clearRecord() {
        if (tape != null) {
            tape.close();
            tape = null;
        }
        if (states != null) {
            states.giveBackAll();
        }
        record = null;
        recordedFinalState = null;
        recordedInput = null;
        recordedX = null;
        recordedStates = null;
        recordedStepCounts = null;
    }

    private void validateInput() {
        BaseOdeLayer conf = layerConf();
        long[] expected = conf.stateShape();
        expected[0] = conf.getNIn();
        boolean matches = input.rank() == expected.length + 1;
        for (int i = 0; matches && i < expected.length; i++) {
            matches = input.size(i + 1) == expected[i];
        }
        if (!matches) {
            throw new DL4JInvalidInputException(where() + ": expected input [minibatch, "
                    + Arrays.toString(expected).replaceAll("[\\[\\]]", "") + "], got " + Arrays.toString(input.shape()));
        }
    }

    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        double score = 0;
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            List<Regularization> regs = layerConf().getRegularizationByParam(e.getKey());
            if (regs != null) {
                for (Regularization r : regs) {
                    score += r.score(e.getValue(), getIterationCount(), getEpochCount());
                }
            }
        }
        return score;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public void clearNoiseWeightParams() {
        // weight noise is not supported by ODE layers; nothing to clear
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
}
