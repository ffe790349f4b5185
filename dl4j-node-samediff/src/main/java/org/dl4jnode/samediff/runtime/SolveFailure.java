package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.solve.TimeGrid;

/**
 * A solve that could not finish: an adaptive grid gave up (its {@link #getCause() cause}), or the
 * adjoint's state stopped being finite. Says which pass, over which grid, and the evaluations of f
 * it had made, so that the caller can name its layer and options around it.
 */
public final class SolveFailure extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String pass;
    private final transient TimeGrid grid;
    private final long evaluations;

    SolveFailure(String pass, TimeGrid grid, long evaluations, String reason, Throwable cause) {
        super(reason, cause);
        this.pass = pass;
        this.grid = grid;
        this.evaluations = evaluations;
    }

    /** "the forward solve" or "the adjoint solve". */
    public String pass() {
        return pass;
    }

    /** The grid being integrated when it failed. */
    public TimeGrid grid() {
        return grid;
    }

    /** Evaluations of f in this grid's solve before it failed. */
    public long evaluations() {
        return evaluations;
    }
}
