package org.dl4jnode.samediff.solve;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Integration over a uniform grid of {@code steps} steps from {@code t0} to {@code t1}.
 *
 * <p>Step n starts at {@code t0 + n (t1 - t0) / steps}, computed from n rather than accumulated, so
 * the last step ends exactly at {@code t1}. First-same-as-last methods reuse the last slope of a step
 * as the first slope of the next: {@code steps * (stages - 1) + 1} evaluations instead of
 * {@code steps * stages}.
 */
public final class FixedGrid implements TimeGrid {

    private final double t0;
    private final double t1;
    private final int steps;

    /**
     * @throws IllegalArgumentException if steps &lt; 1, a bound is not finite, or t1 == t0
     */
    public FixedGrid(double t0, double t1, int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        TimeGrid.requireSpan(t0, t1);
        this.t0 = t0;
        this.t1 = t1;
        this.steps = steps;
    }

    @Override
    public double t0() {
        return t0;
    }

    @Override
    public double t1() {
        return t1;
    }

    public int steps() {
        return steps;
    }

    /** Start time of step {@code n}; {@code time(steps) == t1}. */
    public double time(int n) {
        return n == steps ? t1 : t0 + n * (t1 - t0) / steps;
    }

    /** Error control is not a fixed grid's business: {@code norm} is ignored. */
    @Override
    public <T> T integrate(RungeKutta<T> method, RightHandSide<T> f, T y0, ErrorNorm<T> norm,
                           Consumer<Step<T>> observer, SolveStatistics statistics) {
        T y = integrate(method, f, y0, observer);
        for (int n = 0; n < steps; n++) {
            statistics.accepted(time(n + 1) - time(n));
        }
        return y;
    }

    /** The same number of steps from t1 back to t0. */
    @Override
    public FixedGrid reversed() {
        return new FixedGrid(t1, t0, steps);
    }

    /**
     * Integrates {@code y0} over the grid.
     *
     * @param observer called with every step as it is taken, which then belongs to it (may be null: the
     *                 grid then releases each step's arrays once the next step no longer reads them)
     * @return the state at {@code t1}
     */
    public <T> T integrate(RungeKutta<T> method, RightHandSide<T> f, T y0, Consumer<Step<T>> observer) {
        Objects.requireNonNull(y0, "y0");
        T y = y0;
        T reusedSlope = null;
        boolean fsal = method.tableau().isFsal();
        for (int n = 0; n < steps; n++) {
            double t = time(n);
            Step<T> step = method.step(f, t, y, time(n + 1) - t, reusedSlope);
            if (observer != null) {
                observer.accept(step);
            } else {
                method.releaseAccepted(f, step, y0);
            }
            y = step.next();
            // first-same-as-last: the last stage was evaluated at (t_{n+1}, y_{n+1}), the next first stage
            reusedSlope = fsal ? step.stageSlopes().get(step.stageSlopes().size() - 1) : null;
        }
        return y;
    }
}
