package org.dl4jnode.samediff.solve;

import org.dl4jnode.samediff.tableau.ButcherTableau;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The explicit Runge-Kutta engine: one step of any {@link ButcherTableau}, on any state type.
 *
 * <p>Stage i is evaluated at {@code t + c_i dt} and {@code Y_i = y + dt sum_{j<i} a_ij k_j}; the
 * step returns {@code y + dt sum_i b_i k_i} and, for embedded pairs, the error estimate.
 *
 * @param <T> the state type
 */
public final class RungeKutta<T> {

    private final ButcherTableau tableau;
    private final StateAlgebra<T> algebra;

    public RungeKutta(ButcherTableau tableau, StateAlgebra<T> algebra) {
        this.tableau = Objects.requireNonNull(tableau, "tableau");
        this.algebra = Objects.requireNonNull(algebra, "algebra");
    }

    public ButcherTableau tableau() {
        return tableau;
    }

    public StateAlgebra<T> algebra() {
        return algebra;
    }

    /**
     * Takes one step.
     *
     * @param f          the right-hand side
     * @param t          time at the start of the step
     * @param y          state at the start of the step
     * @param dt         step size
     * @param firstSlope f(t, y) when already known (first-same-as-last reuse), else null
     */
    public Step<T> step(RightHandSide<T> f, double t, T y, double dt, T firstSlope) {
        int s = tableau.stages();
        List<T> states = new ArrayList<>(s);
        List<T> slopes = new ArrayList<>(s);
        for (int i = 0; i < s; i++) {
            T stageState = i == 0 ? y : algebra.combine(y, scaled(tableau.aRow(i), dt), slopes);
            states.add(stageState);
            T slope = i == 0 && firstSlope != null ? firstSlope : f.evaluate(t + tableau.c(i) * dt, stageState);
            slopes.add(slope);
        }
        T next = algebra.combine(y, scaled(tableau.weights(), dt), slopes);
        T error = tableau.errorWeights()
                .map(w -> algebra.combine(null, scaled(w, dt), slopes))
                .orElse(null);
        return new Step<>(t, dt, y, List.copyOf(states), List.copyOf(slopes), next, error);
    }

    /**
     * The state inside an accepted step by a dense output's weights: {@code y + dt sum_i w_i k_i}.
     *
     * @param weights {@code b_i(theta)} of the tableau's continuous extension, one per stage
     */
    public T interpolate(Step<T> step, double[] weights) {
        return algebra.combine(step.y(), scaled(weights, step.dt()), step.stageSlopes());
    }

    /**
     * Releases what a rejected step made, through the algebra and {@code f}: its stage states and
     * slopes after the first, its end state and its error estimate. Its start state and first slope
     * stay, for the retry with a smaller step.
     */
    public void releaseRejected(RightHandSide<T> f, Step<T> step) {
        for (int i = 1; i < step.stageStates().size(); i++) {
            algebra.release(step.stageStates().get(i));
            f.release(step.stageSlopes().get(i));
        }
        algebra.release(step.next());
        algebra.release(step.error());
    }

    /**
     * Releases what an accepted step holds that no later step reads: everything but its end state and,
     * for a first-same-as-last method, its last slope (the next step's first). Its start state is
     * released too unless it is {@code y0}, the solve's initial state, which is the caller's.
     */
    public void releaseAccepted(RightHandSide<T> f, Step<T> step, T y0) {
        if (step.y() != y0) {
            algebra.release(step.y());
        }
        for (int i = 1; i < step.stageStates().size(); i++) {
            algebra.release(step.stageStates().get(i));
        }
        int slopes = step.stageSlopes().size();
        for (int i = 0; i < slopes; i++) {
            if (!(tableau.isFsal() && i == slopes - 1)) {
                f.release(step.stageSlopes().get(i));
            }
        }
        algebra.release(step.error());
    }

    private static double[] scaled(double[] coefficients, double dt) {
        double[] out = new double[coefficients.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = coefficients[i] * dt;
        }
        return out;
    }
}
