package org.dl4jnode.layers;

/**
 * A layer's solve that could not finish or whose state stopped being finite, with the layer, the
 * stepping and the span in its message: what {@code onSolveFailure(skipMinibatch())} skips.
 */
final class FailedSolve extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    FailedSolve(String message) {
        super(message);
    }

    FailedSolve(String message, Throwable cause) {
        super(message, cause);
    }
}
