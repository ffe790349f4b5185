package org.dl4jnode.samediff.solve;

import java.util.function.Consumer;

/**
 * How a solve covers its time span with Runge-Kutta steps: a {@link FixedGrid} of equal steps, or an
 * {@link AdaptiveGrid} whose steps an embedded pair's error estimate chooses.
 *
 * <p>The step-size policy is separate from the method (the tableau) and from what is integrated, so
 * the forward solve and the backward (adjoint) solve of a layer are the same policy over opposite
 * spans: {@link #reversed()}.
 */
public interface TimeGrid {

    /** Where the solve starts. */
    double t0();

    /** Where the solve ends; may be below {@link #t0()} (integration backwards in time). */
    double t1();

    /**
     * Integrates {@code y0} from t0 to t1.
     *
     * @param norm     measures error estimates against tolerances; ignored by grids that control no error
     * @param observer called with every (accepted) step, which then belongs to it; may be null, and then
     *                 the grid releases each step's arrays through the method's algebra and {@code f}
     *                 ({@link StateAlgebra#release}, {@link RightHandSide#release}) once no later step
     *                 reads them. Rejected steps are the grid's to release either way.
     * @return the state at t1
     * @throws IntegrationException when the solve cannot reach t1
     */
    default <T> T integrate(RungeKutta<T> method, RightHandSide<T> f, T y0, ErrorNorm<T> norm,
                            Consumer<Step<T>> observer) {
        return integrate(method, f, y0, norm, observer, new SolveStatistics());
    }

    /**
     * As {@link #integrate(RungeKutta, RightHandSide, Object, ErrorNorm, Consumer)}, recording the
     * accepted and rejected steps in {@code statistics}.
     */
    <T> T integrate(RungeKutta<T> method, RightHandSide<T> f, T y0, ErrorNorm<T> norm, Consumer<Step<T>> observer,
                    SolveStatistics statistics);

    /** The same policy from t1 back to t0. */
    TimeGrid reversed();

    /**
     * The span check every grid makes on construction.
     *
     * @throws IllegalArgumentException if a bound is not finite or t1 == t0
     */
    static void requireSpan(double t0, double t1) {
        if (!Double.isFinite(t0) || !Double.isFinite(t1) || t0 == t1) {
            throw new IllegalArgumentException("time span must be finite and non-empty, got [" + t0 + ", " + t1 + "]");
        }
    }
}
