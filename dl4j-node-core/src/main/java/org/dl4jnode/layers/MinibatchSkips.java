package org.dl4jnode.layers;

import java.util.Optional;

/**
 * One ODE layer's skipped training minibatches under {@code onSolveFailure(skipMinibatch())}: the
 * skip of the current minibatch, waiting for {@link org.dl4jnode.listeners.SkipMinibatchListener} to
 * undo its update, and how many there have been. The listener marks the layers it serves
 * ({@link #attach()}); a layer that is not served fails instead of skipping, since its update would
 * otherwise be applied. Not saved with the model: a restored network needs the listener again.
 */
public final class MinibatchSkips {

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

    /** Why an earlier iteration than {@code iteration} was skipped, when its update was never undone. */
    Optional<String> unservedBefore(long iteration) {
        return pending != null && pendingIteration != iteration ? Optional.of(pending) : Optional.empty();
    }

    /** Records a skip of training iteration {@code iteration}. */
    void record(String reason, long iteration) {
        pending = reason;
        pendingIteration = iteration;
        count++;
    }
}
