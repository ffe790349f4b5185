package org.dl4jnode.samediff.solve;

import java.util.List;

/**
 * The little arithmetic a Runge-Kutta method needs on its state type {@code T}: linear combinations.
 *
 * <p>Two implementations let one engine serve two worlds: {@link GraphAlgebra} builds SameDiff ops
 * (the solve becomes part of a graph), {@link ArrayAlgebra} computes eagerly on {@code INDArray}s
 * (a runtime that steps in Java).
 *
 * @param <T> the state type
 */
public interface StateAlgebra<T> {

    /**
     * Returns {@code base + sum_i coefficients[i] * terms[i]}; terms whose coefficient is 0 are
     * skipped, and a null {@code base} stands for zero. Never modifies its arguments.
     */
    T combine(T base, double[] coefficients, List<T> terms);

    /**
     * Tells this algebra that a value {@link #combine} returned is dead, so that its memory can be
     * reused now (a pooled array algebra takes it back). The default does nothing; values it did not
     * make are ignored.
     */
    default void release(T value) {
    }
}
