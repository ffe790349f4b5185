package org.dl4jnode.conf;

import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.dl4jnode.samediff.basis.FunctionBasis;
import org.dl4jnode.samediff.field.FieldDefinition;
import org.dl4jnode.samediff.param.GalerkinParameterization;
import org.dl4jnode.samediff.regularizer.FlowRegularizer;
import org.dl4jnode.samediff.solve.StepSizeController;

import java.util.Arrays;
import java.util.List;

/**
 * The options every ODE layer's builder takes, behind the public {@link BaseOdeLayer.Builder}: a
 * file of their own, as the JDK's {@code AbstractStringBuilder} is behind {@code StringBuilder}.
 * Setters only record; {@link #validate(String)} checks everything together at {@code build()}
 * ({@link OdeLayerValidation}, {@link StepOptions}).
 *
 * <p>{@code T} is bounded by {@link BaseOdeLayer.Builder}, not by this class, so that the setters'
 * erased return type is {@code BaseOdeLayer.Builder}, as when they were declared there: code compiled
 * against release 0.1.0 keeps linking.
 */
abstract class AbstractOdeLayerBuilder<T extends BaseOdeLayer.Builder<T>> extends FeedForwardLayer.Builder<T> {

    FieldDefinition field;
    Solver solver = Solver.RK4;
    double timeStart = 0.0;
    double timeEnd = 1.0;
    /** The stepping and gradient options, flat as the setters take them. */
    final StepOptions step = new StepOptions();
    boolean dataControlled;
    int[] depthWidths;
    double[] outputTimes;
    boolean interpolateOutputs;
    int outputTimesFromInput;
    List<FlowRegularizer> regularizers = List.of();

    /** The vector field f(t, h), e.g. {@code VectorField.mlp(64)}. Required. */
    public T field(FieldDefinition field) {
        this.field = field;
        return self();
    }

    /** The Runge-Kutta method. Default {@link Solver#RK4}. */
    public T solver(Solver solver) {
        this.solver = solver;
        return self();
    }

    /** Number of equal steps over the time span. Default 4. Excludes {@link #tolerances(double, double)}. */
    public T steps(int steps) {
        step.steps = steps;
        step.stepsSet = true;
        return self();
    }

    /**
     * Adaptive steps with these relative and absolute tolerances (both &gt; 0): a step is accepted
     * when the RMS over the minibatch of {@code error / (atol + rtol |h|)} is at most 1. Needs an
     * embedded pair ({@link Solver#DOPRI5} or {@link Solver#BOSH3}); excludes {@link #steps(int)}.
     */
    public T tolerances(double rtol, double atol) {
        step.rtol = rtol;
        step.atol = atol;
        return self();
    }

    /** The most accepted steps of an adaptive solve before it fails. Default 4096. */
    public T maxSteps(int maxSteps) {
        step.maxSteps = maxSteps;
        step.maxStepsSet = true;
        return self();
    }

    /**
     * How an adaptive solve sizes its next step: {@code StepSizeController.pid(0.4, 0.3, 0)} adds a
     * proportional term that damps the oscillation of step sizes on stiff-ish fields (fewer rejected
     * steps); default {@link StepSizeController#integral()}. Needs {@link #tolerances(double, double)}.
     */
    public T stepSizeController(StepSizeController controller) {
        step.controller = controller;
        return self();
    }

    /**
     * What a failed solve does: {@link SolveFailurePolicy#fail()} (default),
     * {@link SolveFailurePolicy#retryOnFixedGrid(int)} (needs {@link #tolerances(double, double)})
     * or {@link SolveFailurePolicy#skipMinibatch()} (needs {@code SkipMinibatchListener} on the
     * network).
     */
    public T onSolveFailure(SolveFailurePolicy policy) {
        step.solveFailurePolicy = policy;
        return self();
    }

    /** The smallest step size an adaptive solve may take before it fails. Default 0 (none). */
    public T minStep(double minStep) {
        step.minStep = minStep;
        return self();
    }

    /** How gradients are computed. Default {@link GradientMode#BACKPROP}. */
    public T gradient(GradientMode mode) {
        step.gradientMode = mode;
        return self();
    }

    /**
     * Tolerances of the adjoint's backward solve, when they should differ from the forward ones.
     * Needs {@link GradientMode#ADJOINT} and an adaptive forward solve ({@link #tolerances(double, double)}).
     */
    public T adjointTolerances(double rtol, double atol) {
        step.adjointRtol = rtol;
        step.adjointAtol = atol;
        return self();
    }

    /**
     * The adjoint's adaptive backward solve controls the error of the state and its cotangent only,
     * not of the parameter gradients (a seminorm: Kidger, Chen and Lyons 2021; torchdiffeq's
     * {@code adjoint_options=dict(norm="seminorm")}): fewer backward steps at the same gradient
     * accuracy. Needs {@link GradientMode#ADJOINT} and {@link #tolerances(double, double)}. Default false.
     */
    public T adjointSeminorm(boolean seminorm) {
        step.adjointSeminorm = seminorm;
        return self();
    }

    /**
     * The memory budget of {@link GradientMode#CHECKPOINTED} in bytes: the states of a replayed run
     * of steps (2 x stages state-sized arrays a step) fit in it, and the layer keeps a checkpoint every
     * that many steps. Default 64 MiB.
     */
    public T checkpointMemory(long bytes) {
        step.checkpointMemory = bytes;
        step.checkpointMemorySet = true;
        return self();
    }

    /**
     * A data-controlled field (seed 002, section 5): f reads the layer's input x alongside the state,
     * {@code f(t, [h, x])}, so its first layer has {@code nIn} more inputs. Default false.
     */
    public T dataControlled(boolean dataControlled) {
        this.dataControlled = dataControlled;
        return self();
    }

    /**
     * Adaptive depth (seed 002, section 5): every example integrates for its own depth
     * {@code T(x) = |1 + g(x)|}, g being a small network on the layer's input with these hidden
     * widths (ReLU; its last layer starts at zero, so T starts at 1). Solved exactly on the time
     * span by rescaling time about t0: {@code dh/ds = T(x) f(t0 + T(x)(s - t0), h)}. Not with a
     * Galerkin basis (each example would need its own weights).
     */
    public T adaptiveDepth(int... hiddenWidths) {
        this.depthWidths = hiddenWidths == null ? new int[0] : hiddenWidths.clone();
        return self();
    }

    /**
     * Output the state at these times (increasing, in the time span, ends included) instead of
     * h(t1) alone: the layer's output becomes DL4J's recurrent type {@code [minibatch, d, T]},
     * so that an {@code RnnOutputLayer} or {@code RnnLossLayer} fits whole trajectories with plain
     * {@code fit()}. Every output time is a step's end (unless {@link #interpolateOutputs(boolean)
     * interpolateOutputs}): adaptive solves step exactly to each, a
     * fixed grid spreads its steps over the intervals between them in proportion to their length
     * (at least one each, so times on the grid keep it exactly). The solve ends at the last time;
     * both gradient modes differentiate every output (the adjoint adds dL/dh(t_k) to its state at
     * each t_k on the way back). Feed-forward fields only.
     */
    public T outputTimes(double... times) {
        this.outputTimes = times == null ? null : times.clone();
        return self();
    }

    /**
     * Output the state at each example's own times, given as the last {@code count} columns of its
     * input row: the input is {@code [minibatch, nIn + count]}, the state {@code x[:, 0:nIn]} and
     * example i's times {@code x[i, nIn:]} (any order, repeats allowed, each in the time span), and
     * the output {@code [minibatch, d, count]} holds example i's state at its j-th time in column j.
     * For irregularly sampled series (Chen et al. 2018, section 5): in a {@code ComputationGraph} give
     * the layer two inputs, {@code addLayer("ode", layer, "state", "times")}, which DL4J concatenates;
     * pad an example with fewer observations by repeating one of its times and mask those steps in
     * the labels. One solve serves the minibatch: it outputs the union of the times, which
     * {@link #interpolateOutputs(boolean) interpolateOutputs} reads off the steps at no extra
     * evaluations (recommended; otherwise every distinct time is a step's end). The times are data:
     * their gradient is zero. Feed-forward fields only; not with {@link #outputTimes(double...)}.
     * Default 0: no times in the input.
     */
    public T outputTimesFromInput(int count) {
        this.outputTimesFromInput = count;
        return self();
    }

    /**
     * Read the {@link #outputTimes(double...) output times} before the last off the steps by the
     * solver's dense output (its continuous extension, of order 4 for {@link Solver#DOPRI5} and
     * {@link Solver#TSIT5}) instead of stepping to each: the steps are then the error control's
     * alone, as in torchdiffeq and diffrax, so many output times cost no extra steps. The outputs
     * are within the tolerances' error; the last output is the solve's end. Backprop and the
     * checkpointed gradient differentiate the interpolation exactly; the adjoint solves back from
     * each interpolated state. Needs output times, {@link #tolerances(double, double) adaptive}
     * stepping and such a solver. Default false: every output time is a step's end.
     */
    public T interpolateOutputs(boolean interpolate) {
        this.interpolateOutputs = interpolate;
        return self();
    }

    /**
     * Penalties on the flow, added to the training score and its gradient (each is its weight
     * times a mean over the minibatch, DL4J's convention):
     * {@link FlowRegularizer#finalStateStability} (seed 002's equation 21),
     * {@link FlowRegularizer#kineticEnergy} and {@link FlowRegularizer#jacobianFrobenius}
     * (Finlay et al. 2020). The integrals ride along the training solve as extra state channels
     * (so an adaptive solver's error control sees them too); inference solves without them.
     * At most one of each kind. Default none.
     */
    public T regularizers(FlowRegularizer... regularizers) {
        this.regularizers = regularizers == null ? List.of() : Arrays.asList(regularizers.clone());
        return self();
    }

    /** Integrate from {@code t0} to {@code t1 > t0}. Default [0, 1]. */
    public T timeSpan(double t0, double t1) {
        this.timeStart = t0;
        this.timeEnd = t1;
        return self();
    }

    /** Not supported: an ODE layer's output size equals its input size. */
    @Override
    public T nOut(int nOut) {
        throw new UnsupportedOperationException("ODE layers have as many outputs as inputs; set nIn (or let "
                + "setInputType infer it) instead of nOut = " + nOut);
    }

    /** Not supported: an ODE layer's output size equals its input size. */
    @Override
    public T nOut(long nOut) {
        return nOut((int) nOut);
    }

    /** Not supported: an ODE layer's output size equals its input size. */
    @Override
    public T units(int units) {
        return nOut(units);
    }

    /** The stepping value these options make (checked by {@link #validate(String)}). */
    Stepping stepping() {
        return step.stepping();
    }

    /** The gradient value these options make (checked by {@link #validate(String)}). */
    GradientComputation gradientComputation() {
        return step.gradientComputation();
    }

    @SuppressWarnings("unchecked")
    protected T self() {
        return (T) this;
    }

    /**
     * Checks the options common to every ODE layer; {@code layerType} names the layer in messages.
     *
     * @return the layer's description for further messages, e.g. {@code OdeLayer 'ode'}
     */
    protected String validate(String layerType) {
        String who = OdeLayerProperties.describe(layerType, layerName);
        // the checks on DL4J's own builder fields, which only a subclass of its builder can read
        if (activationFn != null) {
            throw new IllegalArgumentException(who + ": activation(" + activationFn + ") does not apply to an ODE "
                    + "layer, whose output is the state h(t1); the field has its own, e.g. "
                    + "VectorField.mlp(64).activation(Activation.RELU)");
        }
        if (nIn < 0) {
            throw new IllegalArgumentException(who + ": nIn must be >= 1 (or unset), got " + nIn);
        }
        if (outputTimesFromInput > 0 && iDropout != null) {
            throw new IllegalArgumentException(who + ": dropOut(" + iDropout + ") would drop the input's columns "
                    + "of output times too (outputTimesFromInput(" + outputTimesFromInput + ")); put the dropout "
                    + "on the layer before");
        }
        OdeLayerValidation.validate(this, who);
        return who;
    }

    /**
     * Checks a Galerkin basis for this layer's span.
     *
     * @return the parameterisation the basis makes
     */
    protected GalerkinParameterization galerkin(String who, FunctionBasis basis, double higherModeScale) {
        OdeLayerValidation.refuseOnCoefficients(who, basis, "constraints", allParamConstraints, weightConstraints,
                biasConstraints);
        OdeLayerValidation.refuseOnCoefficients(who, basis, "weightNoise", weightNoise);
        return OdeLayerValidation.galerkin(this, who, basis, higherModeScale);
    }
}
