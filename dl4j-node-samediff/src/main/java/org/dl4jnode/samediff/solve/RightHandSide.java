package org.dl4jnode.samediff.solve;

/**
 * The right-hand side f(t, y) of dy/dt = f(t, y).
 *
 * @param <T> the state type
 */
@FunctionalInterface
public interface RightHandSide<T> {

    /** Returns f(t, y), a new value of the same shape as {@code y}; {@code y} is not modified. */
    T evaluate(double t, T y);
}
