package org.dl4jnode.conf;

/**
 * How an ODE layer computes its gradients.
 */
public enum GradientMode {
    /**
     * Reverse mode through the solver's (accepted) steps: the exact gradient of the discrete solve.
     * Training memory grows with the number of steps: every stage state is kept for the backward pass.
     * The default.
     */
    BACKPROP,
    /**
     * The continuous adjoint method: [h, dL/dh, dL/dtheta] integrated from t1 back to t0 with the
     * layer's solver (on the same number of steps, or adaptively with its own tolerances), recomputing h
     * rather than storing it. Memory does not grow with the number of steps; the gradient is the exact
     * flow's, accurate to the solver's error on both passes.
     */
    ADJOINT,
    /**
     * Backprop's gradient, bit for bit, with the states' memory bounded by a budget in bytes
     * ({@code checkpointMemory}, default 64 MiB): the forward solve keeps the state every K steps (K from
     * the budget), the backward pass replays the steps between them and reverses them. About one more
     * forward solve of work.
     */
    CHECKPOINTED
}
