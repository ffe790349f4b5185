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

    /**
     * Tells this right-hand side that a value {@link #evaluate} returned is dead, so that its memory can
     * be reused now rather than when the garbage collector finds it. The default does nothing.
     */
    default void release(T value) {
    }
}
