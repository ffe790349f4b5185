package org.dl4jnode.layers;

import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.conf.GradientComputation;
import org.dl4jnode.conf.SolveFailurePolicy;
import org.dl4jnode.samediff.runtime.FieldFunction;
import org.dl4jnode.samediff.runtime.GradientMethod;
import org.dl4jnode.samediff.runtime.OdeSolve;
import org.dl4jnode.samediff.runtime.SolveFailure;
import org.dl4jnode.samediff.runtime.Solution;
import org.dl4jnode.samediff.solve.ArrayAlgebra;
import org.dl4jnode.samediff.solve.ArrayPool;
import org.dl4jnode.samediff.solve.SolveStatistics;
import org.dl4jnode.samediff.solve.Step;
import org.dl4jnode.samediff.solve.TimeGrid;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * One layer's solve, as its configuration sets it up: the field as SameDiff graphs (the plain one, and
 * the training one with the integral regularisers' quadratures), the state's lift around the solve,
 * the pool the solve's arrays come from, and {@link OdeSolve} over the layer's grid with its solver,
 * gradient method and failure policy. The parameters and the input are passed to each call; nothing
 * of a minibatch is kept here but the pool's arrays, which the caller gives back.
 */
final class LayerSolve {

    /**
     * Activations a training solve keeps for its backward pass; the stages of a longer solve are
     * recomputed there instead, so memory stays bounded however many steps are taken.
     */
    static final long TAPE_BUDGET_BYTES = 64L << 20;
    private static final Logger log = LoggerFactory.getLogger(OdeLayer.class);

    private final BaseOdeLayer conf;
    private final DataType dataType;
    private final SolveDiagnosis diagnosis;
    // built on first use: compiling the field's graphs is the costly part of a layer's set-up
    private FieldFunction field;
    private FieldFunction trainingField;
    private FlowPenalties penalties;
    private StateLift lift;
    /** The solve's states, reused from solve to solve. */
    private ArrayPool states;
    private long retriedSolves;
    private long lastEvaluations;
    private SolveStatistics lastStatistics = new SolveStatistics();

    LayerSolve(BaseOdeLayer conf, DataType dataType, SolveDiagnosis diagnosis) {
        this.conf = conf;
        this.dataType = dataType;
        this.diagnosis = diagnosis;
    }

    /** The plain system's field, for inference and analysis. */
    FieldFunction field() {
        if (field == null) {
            field = new FieldFunction(conf.odeSystem(), conf.parameterization(), conf.stateShape(), dataType);
        }
        return field;
    }

    /** The field of training solves: {@link #field()} with the integral regularisers' quadratures. */
    FieldFunction trainingField() {
        if (trainingField == null) {
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

    FlowPenalties penalties() {
        if (penalties == null) {
            penalties = new FlowPenalties(conf);
        }
        return penalties;
    }

    StateLift lift() {
        if (lift == null) {
            lift = new StateLift(conf.augmentation(), conf.getNIn(), conf.getNOut());
        }
        return lift;
    }

    /** The output times of a pass over {@code x}: the layer's, or each example's in its last columns. */
    OutputPlan plan(INDArray x) {
        return OutputPlan.of(conf, x, diagnosis.where());
    }

    /** Binds {@code params} (and the input {@code x}, for a field that reads it) to the plain field; returns h(t0). */
    INDArray bind(Map<String, INDArray> params, INDArray x) {
        bind(field(), params, x);
        return solverArray(lift().initialState(x, params));
    }

    /** Binds {@code params}, and the constants {@code input} for a field that reads them, to {@code f}. */
    static void bind(FieldFunction f, Map<String, INDArray> params, INDArray input) {
        f.bind(params);
        if (f.readsInput()) {
            f.bindInput(input);
        }
    }

    /**
     * {@code a} as the solver's arrays are: detached from DL4J's workspaces, of the layer's data type
     * and dense in 'c' order (DL4J hands over 'f'-ordered activations and gradients; element-wise
     * ops between orderings run on libnd4j's slow per-element index path). A copy, when one is needed,
     * is the state pool's, valid until {@link #giveBackArrays()}.
     */
    INDArray solverArray(INDArray a) {
        if (!a.isAttached() && a.dataType() == dataType && ArrayAlgebra.isDenseC(a)) {
            return a;
        }
        // a copy from the solve's pool, not a fresh array: it goes back with the solve's other arrays
        return statePool().take(dataType, a.shape()).assign(a.dataType() == dataType ? a : a.castTo(dataType));
    }

    /** Every array the pool has handed out since is dead: they go back for the next solve. */
    void giveBackArrays() {
        if (states != null) {
            states.giveBackAll();
        }
    }

    /** How the layer's gradients are computed: the one place its gradient computation is read. */
    GradientMethod gradientMethod() {
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
     * The forward solve of the bound {@code f} from {@code y0} over the layer's grid, or its segments
     * between the plan's output times ({@link SolveGrids#forward}); solved again on a fixed grid when
     * it fails and the layer's policy says so.
     *
     * @param x        the layer input's state columns, blamed when the solve fails on a NaN in them
     * @param params   the layer's parameters, blamed likewise
     * @param gradient null for a solve that is not differentiated
     * @param onStep   null, or called with every accepted step
     * @throws FailedSolve when the solve fails and is not retried, or fails again
     */
    Solution forward(FieldFunction f, INDArray x, Map<String, INDArray> params, INDArray y0, OutputPlan plan,
                     GradientMethod gradient, Consumer<Step<INDArray>> onStep) {
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
            diagnosis.rejectNonFinite(x, params);
            if (!(conf.getSolveFailurePolicy() instanceof SolveFailurePolicy.RetryOnFixedGrid retry)) {
                throw diagnosis.failure(e);
            }
            retriedSolves++;
            if (retriedSolves % SolveDiagnosis.LOG_EVERY == 1) {
                log.warn("{}: {}; solving again on {} equal steps (onSolveFailure = {}; retry {} of this layer, "
                        + "logged every {}th)", diagnosis.where(), diagnosis.failure(e).getMessage(), retry.steps(),
                        retry, retriedSolves, SolveDiagnosis.LOG_EVERY);
            }
            try {
                s = OdeSolve.solve(f, y0, SolveGrids.forward(conf, retry.stepping(), times), conf.getSolver().tableau(),
                        gradient, statePool(), TAPE_BUDGET_BYTES, onStep);
            } catch (SolveFailure again) {
                throw diagnosis.failure(again);
            }
        }
        lastEvaluations = s.evaluations();
        lastStatistics = s.statistics();
        return s;
    }

    /** Forward solves that failed and were solved again on a fixed grid. */
    long retriedSolves() {
        return retriedSolves;
    }

    /** Evaluations of the field in the last forward solve. */
    long lastEvaluations() {
        return lastEvaluations;
    }

    /** The last forward solve's steps, over all its segments. */
    SolveStatistics lastStatistics() {
        return lastStatistics;
    }

    private ArrayPool statePool() {
        if (states == null) {
            states = new ArrayPool(TAPE_BUDGET_BYTES);
        }
        return states;
    }
}
