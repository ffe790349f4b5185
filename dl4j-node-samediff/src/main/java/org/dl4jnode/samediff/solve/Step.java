package org.dl4jnode.samediff.solve;

import java.util.List;

/**
 * One explicit Runge-Kutta step from {@code (t, y)} with step size {@code dt}, with what a backward
 * pass or a step-size controller needs of it.
 *
 * @param t           time at the start of the step
 * @param dt          step size (negative when integrating backwards)
 * @param y           state at the start of the step
 * @param stageStates Y_i, the state each stage's derivative was evaluated at (Y_0 = y)
 * @param stageSlopes k_i = f(t + c_i dt, Y_i)
 * @param next        state at the end of the step
 * @param error       local error estimate {@code dt * sum_i bError_i k_i}, null for a fixed-step method
 * @param <T>         the state type
 */
public record Step<T>(double t, double dt, T y, List<T> stageStates, List<T> stageSlopes, T next, T error) {

    /** Time at the end of the step. */
    public double tNext() {
        return t + dt;
    }
}
