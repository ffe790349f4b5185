package org.dl4jnode.layers;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * One ODE layer's skipped training minibatches under {@code onSolveFailure(skipMinibatch())}: the
 * skip of the current minibatch, waiting for {@link org.dl4jnode.listeners.SkipMinibatchListener} to
 * undo its update, and how many there have been. The listener marks the layers it serves
 * ({@link #attach()}); a layer that is not served fails instead of skipping, since its update would
 * otherwise be applied. Not saved with the model: a restored network needs the listener again.
 */
public final class MinibatchSkips {

    private static final Logger log = LoggerFactory.getLogger(OdeLayer.class);

    private boolean attached;
    private String pending;
    private long pendingIteration;
    private long count;

    MinibatchSkips() {
    }

    /** Marks the layer as served by a listener that undoes a skipped minibatch's update. */
    public void attach() {
        attached = true;
    }

    /** Whether a listener undoes this layer's skipped updates. */
    public boolean attached() {
        return attached;
    }

    /** Why the current training minibatch is skipped, while its update waits to be undone. */
    public Optional<String> pending() {
        return Optional.ofNullable(pending);
    }

    /** The listener has undone the skipped minibatch's update. */
    public void undone() {
        pending = null;
    }

    /** Training minibatches this layer has skipped. */
    public long count() {
        return count;
    }

    /** Whether training iteration {@code iteration} is being skipped. */
    boolean skipping(long iteration) {
        return pending != null && pendingIteration == iteration;
    }

    /** Fails when an earlier iteration than {@code iteration} was skipped and its update was never undone. */
    void requireServedBefore(long iteration, String where) {
        if (pending != null && pendingIteration != iteration) {
            throw new IllegalStateException(where + ": an earlier training minibatch was skipped (" + pending
                    + ") and its update was not undone; onSolveFailure(skipMinibatch) needs "
                    + "SkipMinibatchListener.attachTo(network) among the network's listeners");
        }
    }

    /** Fails with {@code failure}'s message where no listener would undo a skipped minibatch's update. */
    void requireAttached(FailedSolve failure) {
        if (!attached) {
            throw new IllegalStateException(failure.getMessage() + "; onSolveFailure(skipMinibatch) would skip this "
                    + "minibatch, but no SkipMinibatchListener undoes its update: add one with "
                    + "SkipMinibatchListener.attachTo(network)", failure);
        }
    }

    /** Records a skip of training iteration {@code iteration}, logged the first time and every 100th after. */
    void record(String reason, long iteration) {
        pending = reason;
        pendingIteration = iteration;
        count++;
        if (count % SolveDiagnosis.LOG_EVERY == 1) {
            log.warn("{}; skipping this minibatch (onSolveFailure = skipMinibatch; skip {} of this layer, logged "
                    + "every {}th)", reason, count, SolveDiagnosis.LOG_EVERY);
        }
    }
}
