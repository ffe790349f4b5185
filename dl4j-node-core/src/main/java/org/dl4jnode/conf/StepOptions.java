package org.dl4jnode.conf;

import org.dl4jnode.samediff.solve.StepSizeController;
import org.dl4jnode.samediff.solve.Tolerances;

/**
 * The stepping and gradient options as the builders take them, flat, one setter each, and the one
 * place that checks them together and turns them into the {@link Stepping} and
 * {@link GradientComputation} values a layer stores. Release 0.1.0's JSON wrote the same options flat,
 * so {@link Release010Options} reads them into one of these too.
 *
 * <p>NaN tolerances mean "not set": a fixed grid, or adjoint tolerances equal to the forward ones.
 */
final class StepOptions {

    /** Default number of equal steps over the time span. */
    static final int DEFAULT_STEPS = 4;
    /** Default budget of accepted steps of an adaptive solve. */
    static final int DEFAULT_MAX_STEPS = 4096;

    int steps = DEFAULT_STEPS;
    boolean stepsSet;
    double rtol = Double.NaN;
    double atol = Double.NaN;
    int maxSteps = DEFAULT_MAX_STEPS;
    boolean maxStepsSet;
    double minStep;
    StepSizeController controller;
    SolveFailurePolicy solveFailurePolicy = SolveFailurePolicy.fail();
    GradientMode gradientMode = GradientMode.BACKPROP;
    double adjointRtol = Double.NaN;
    double adjointAtol = Double.NaN;
    boolean adjointSeminorm;
    long checkpointMemory = GradientComputation.DEFAULT_CHECKPOINT_MEMORY;
    boolean checkpointMemorySet;

    /** True when tolerances are given: the solver chooses its steps. */
    boolean adaptive() {
        return !Double.isNaN(rtol) || !Double.isNaN(atol);
    }

    /** The stepping value these options make (checked by {@link #validate}). */
    Stepping stepping() {
        if (!adaptive()) {
            return Stepping.fixed(steps);
        }
        Stepping.Adaptive adaptive = Stepping.adaptive(rtol, atol, maxSteps, minStep);
        return controller == null ? adaptive : adaptive.withController(controller);
    }

    /** The gradient value these options make (checked by {@link #validate}). */
    GradientComputation gradientComputation() {
        if (gradientMode == GradientMode.CHECKPOINTED) {
            return GradientComputation.checkpointed(checkpointMemory);
        }
        if (gradientMode != GradientMode.ADJOINT) {
            return GradientComputation.backprop();
        }
        GradientComputation.Adjoint adjoint = Double.isNaN(adjointRtol) && Double.isNaN(adjointAtol)
                ? GradientComputation.adjoint() : GradientComputation.adjoint(adjointRtol, adjointAtol);
        return adjoint.withSeminorm(adjointSeminorm);
    }

    /** True when each pair of tolerances is either wholly given or wholly unset. */
    boolean pairsComplete() {
        return Double.isNaN(rtol) == Double.isNaN(atol) && Double.isNaN(adjointRtol) == Double.isNaN(adjointAtol);
    }

    /**
     * Checks these options together, for a solve over [t0, t1] with {@code solver}.
     *
     * @param who the layer, for messages
     * @throws IllegalArgumentException naming the layer, the option and its bad value
     */
    void validate(String who, Solver solver, double t0, double t1) {
        if (steps < 1) {
            throw new IllegalArgumentException(who + ": steps must be >= 1, got " + steps);
        }
        if (solveFailurePolicy == null) {
            throw new IllegalArgumentException(who + ": onSolveFailure must not be null; use "
                    + "SolveFailurePolicy.fail(), retryOnFixedGrid(steps) or skipMinibatch()");
        }
        validateGradient(who);
        if (!adaptive()) {
            validateFixed(who);
            return;
        }
        if (!solver.tableau().isAdaptive()) {
            throw new IllegalArgumentException(who + ": tolerances need an adaptive solver (" + Solver.adaptive()
                    + "); " + solver + " has no error estimate; use steps(...) instead");
        }
        if (stepsSet) {
            throw new IllegalArgumentException(who + ": steps(" + steps + ") and tolerances(" + rtol + ", " + atol
                    + ") exclude each other: an adaptive solver chooses its own steps");
        }
        try {
            stepping().grid(t0, t1);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(who + ": " + e.getMessage(), e);
        }
    }

    /** The options of adaptive solves are refused on a fixed grid rather than ignored. */
    private void validateFixed(String who) {
        if (solveFailurePolicy instanceof SolveFailurePolicy.RetryOnFixedGrid) {
            throw new IllegalArgumentException(who + ": onSolveFailure(" + solveFailurePolicy + ") applies to "
                    + "adaptive solves, which can fail; set tolerances(rtol, atol) with one of " + Solver.adaptive());
        }
        if (controller != null) {
            throw new IllegalArgumentException(who + ": stepSizeController(" + controller + ") applies to adaptive "
                    + "solves; set tolerances(rtol, atol) with one of " + Solver.adaptive());
        }
        if (maxStepsSet || minStep != 0) {
            throw new IllegalArgumentException(who + ": maxSteps and minStep apply to adaptive solves; set "
                    + "tolerances(rtol, atol) with one of " + Solver.adaptive());
        }
    }

    private void validateGradient(String who) {
        if (gradientMode == null) {
            throw new IllegalArgumentException(who + ": gradient mode must not be null; use BACKPROP or ADJOINT");
        }
        if (checkpointMemorySet && gradientMode != GradientMode.CHECKPOINTED) {
            throw new IllegalArgumentException(who + ": checkpointMemory(" + checkpointMemory + ") is the budget "
                    + "of GradientMode.CHECKPOINTED; set gradient(GradientMode.CHECKPOINTED) or remove it");
        }
        if (gradientMode == GradientMode.CHECKPOINTED && checkpointMemory < 1) {
            throw new IllegalArgumentException(who + ": checkpointMemory must be >= 1 byte, got " + checkpointMemory);
        }
        if (adjointSeminorm && (gradientMode != GradientMode.ADJOINT || !adaptive())) {
            throw new IllegalArgumentException(who + ": adjointSeminorm(true) controls the error of the "
                    + "adjoint's adaptive backward solve; set gradient(GradientMode.ADJOINT) and tolerances(rtol, "
                    + "atol) with one of " + Solver.adaptive());
        }
        if (Double.isNaN(adjointRtol) && Double.isNaN(adjointAtol)) {
            return;
        }
        if (gradientMode != GradientMode.ADJOINT) {
            throw new IllegalArgumentException(who + ": adjointTolerances(" + adjointRtol + ", " + adjointAtol
                    + ") apply to the adjoint; set gradient(GradientMode.ADJOINT) or remove them");
        }
        if (!adaptive()) {
            throw new IllegalArgumentException(who + ": adjointTolerances(" + adjointRtol + ", " + adjointAtol
                    + ") need an adaptive forward solve; set tolerances(rtol, atol) with one of " + Solver.adaptive());
        }
        try {
            new Tolerances(adjointRtol, adjointAtol);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(who + ": adjoint " + e.getMessage(), e);
        }
    }
}
