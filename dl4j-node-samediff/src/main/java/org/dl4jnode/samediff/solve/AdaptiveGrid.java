package org.dl4jnode.samediff.solve;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Integration from {@code t0} to {@code t1} (either direction) with steps chosen by an embedded
 * Runge-Kutta pair's error estimate.
 *
 * <p>The first step is chosen automatically (Hairer, Norsett and Wanner, <i>Solving ODEs I</i>,
 * II.4), each accepted step's size sets the next through a {@link StepSizeController}, and the last
 * step is cut to land on {@code t1} exactly. f(t, y) at a step's start is never evaluated twice:
 * first-same-as-last pairs reuse the accepted step's last slope, and a rejected step keeps its first.
 *
 * <p>Failures are {@link IntegrationException}s, never hangs: a step below {@code minStep} or below
 * what the floating point time can resolve, {@code maxSteps} accepted steps without reaching
 * {@code t1}, or an error estimate that is not finite.
 */
public final class AdaptiveGrid implements TimeGrid {

    private final double t0;
    private final double t1;
    private final Tolerances tolerances;
    private final StepSizeController controller;
    private final int maxSteps;
    private final double minStep;

    /**
     * @param maxSteps the most accepted steps, &gt;= 1
     * @param minStep  the smallest step size allowed, &gt;= 0
     */
    public AdaptiveGrid(double t0, double t1, Tolerances tolerances, StepSizeController controller, int maxSteps,
                        double minStep) {
        TimeGrid.requireSpan(t0, t1);
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps must be >= 1, got " + maxSteps);
        }
        if (!(minStep >= 0) || Double.isInfinite(minStep)) {
            throw new IllegalArgumentException("minStep must be finite and >= 0, got " + minStep);
        }
        this.t0 = t0;
        this.t1 = t1;
        this.tolerances = Objects.requireNonNull(tolerances, "tolerances");
        this.controller = Objects.requireNonNull(controller, "controller");
        this.maxSteps = maxSteps;
        this.minStep = minStep;
    }

    @Override
    public double t0() {
        return t0;
    }

    @Override
    public double t1() {
        return t1;
    }

    public Tolerances tolerances() {
        return tolerances;
    }

    public StepSizeController controller() {
        return controller;
    }

    /** The same controller, budget and tolerances from t1 back to t0. */
    @Override
    public AdaptiveGrid reversed() {
        return new AdaptiveGrid(t1, t0, tolerances, controller, maxSteps, minStep);
    }

    /** This grid with other tolerances. */
    public AdaptiveGrid withTolerances(Tolerances other) {
        return new AdaptiveGrid(t0, t1, other, controller, maxSteps, minStep);
    }

    /**
     * Integrates {@code y0} from t0 to t1.
     *
     * @param method   an embedded pair ({@link org.dl4jnode.samediff.tableau.ButcherTableau#isAdaptive()})
     * @param norm     measures error estimates against the tolerances, e.g. {@link ErrorNorm#rms(Tolerances)}
     * @param observer called with every accepted step, which then belongs to it (may be null: the grid
     *                 then releases each accepted step's arrays once the next step no longer reads them;
     *                 it releases a rejected step's itself, see {@link RungeKutta#releaseRejected})
     * @param statistics where the accepted and rejected steps are counted
     * @return the state at t1
     * @throws IntegrationException when the solve cannot reach t1
     */
    @Override
    public <T> T integrate(RungeKutta<T> method, RightHandSide<T> f, T y0, ErrorNorm<T> norm,
                           Consumer<Step<T>> observer, SolveStatistics statistics) {
        if (!method.tableau().isAdaptive()) {
            throw new IllegalArgumentException("adaptive stepping needs an embedded pair; " + method.tableau()
                    + " has no error estimate");
        }
        int order = Math.min(method.tableau().order(), method.tableau().embeddedOrder().orElseThrow());
        boolean fsal = method.tableau().isFsal();
        double direction = Math.signum(t1 - t0);
        T slope = f.evaluate(t0, y0);
        double h = initialStep(method, f, y0, slope, norm);

        double t = t0;
        T y = y0;
        int accepted = 0;
        boolean lastRejected = false;
        StepSizeController.History history = controller.history();
        while (direction * (t1 - t) > 0) {
            if (accepted >= maxSteps) {
                throw new IntegrationException("the budget of maxSteps = " + maxSteps + " steps ran out before t1 = "
                        + t1, t, h, accepted);
            }
            if (h < minStep) {
                throw new IntegrationException("the step size fell below minStep = " + minStep, t, h, accepted);
            }
            if (h <= 4 * Math.ulp(Math.max(Math.abs(t), Math.abs(t1)))) {
                throw new IntegrationException("the step size underflowed machine precision relative to t", t, h,
                        accepted);
            }
            boolean last = h >= Math.abs(t1 - t) * (1 - 1e-12);
            double dt = last ? t1 - t : direction * h;
            Step<T> step = method.step(f, t, y, dt, slope);
            double error = norm.norm(step.error(), y, step.next());
            if (!Double.isFinite(error)) {
                throw new IntegrationException("the state or its error estimate became NaN or infinite", t, h,
                        accepted);
            }
            List<T> slopes = step.stageSlopes();
            if (error <= 1) {
                if (observer != null) {
                    observer.accept(step);
                } else {
                    method.releaseAccepted(f, step, y0);
                }
                accepted++;
                statistics.accepted(dt);
                t = last ? t1 : t + dt;
                y = step.next();
                slope = fsal ? slopes.get(slopes.size() - 1) : null;
                h *= controller.factor(error, order, lastRejected, history);
                history.accept(error);
                lastRejected = false;
            } else {
                method.releaseRejected(f, step);
                statistics.rejected();
                slope = slopes.get(0);
                h *= controller.factor(error, order, true, history);
                lastRejected = true;
            }
        }
        return y;
    }

    /** Hairer-Norsett-Wanner's starting step: two evaluations of f (one of them reused by the first step). */
    private <T> double initialStep(RungeKutta<T> method, RightHandSide<T> f, T y0, T f0, ErrorNorm<T> norm) {
        double span = Math.abs(t1 - t0);
        double d0 = norm.norm(y0, y0, y0);
        double d1 = norm.norm(f0, y0, y0);
        double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 * Math.max(1.0, span) : 0.01 * d0 / d1;
        h0 = Math.min(h0, span);
        double direction = Math.signum(t1 - t0);
        StateAlgebra<T> algebra = method.algebra();
        T y1 = algebra.combine(y0, new double[] {direction * h0}, List.of(f0));
        T f1 = f.evaluate(t0 + direction * h0, y1);
        T slopeChange = algebra.combine(f1, new double[] {-1}, List.of(f0));
        double d2 = norm.norm(slopeChange, y0, y0) / h0;
        algebra.release(slopeChange);
        f.release(f1);
        algebra.release(y1);
        double dMax = Math.max(d1, d2);
        double h1 = dMax <= 1e-15 ? Math.max(1e-6, h0 * 1e-3)
                : Math.pow(0.01 / dMax, 1.0 / (method.tableau().order() + 1));
        if (!Double.isFinite(h1)) {
            throw new IntegrationException("the initial state or slope is NaN or infinite", t0, h0, 0);
        }
        return Math.min(Math.min(100 * h0, h1), span);
    }
}
