package org.dl4jnode.conf;

import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.nd4j.shade.jackson.annotation.JsonSubTypes;
import org.nd4j.shade.jackson.annotation.JsonTypeInfo;

import java.io.Serializable;

/**
 * What an ODE layer does when an adaptive forward solve cannot finish (its step budget runs out, the
 * step size underflows or falls below {@code minStep}, the error estimate stops being finite):
 * {@link #fail()}, the default, throws with the layer, the span, the solver and the NFE so far;
 * {@link #retryOnFixedGrid(int)} solves the same pass again on that many equal steps, logs why (the
 * first time and every 100th after), and counts it ({@code OdeLayer.retriedSolves()}), so that one
 * hard minibatch does not end a long training run; {@link #skipMinibatch()} drops the training
 * minibatch whose solve failed, forward or backward, NaN states included: its update is undone to the
 * last bit (parameters and updater state) by {@code SkipMinibatchListener}, which must be attached to
 * the network, and the reason is logged. Inference passes fail under either of the last two as under
 * fail. A layer input or parameter that is already NaN or infinite fails always: no grid solves from
 * it. JSON {@code {"type" : "fail"}}, {@code {"type" : "retryOnFixedGrid", "steps" : 16}} or
 * {@code {"type" : "skipMinibatch"}}; files without the option read as fail.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = SolveFailurePolicy.Fail.class, name = "fail"),
        @JsonSubTypes.Type(value = SolveFailurePolicy.RetryOnFixedGrid.class, name = "retryOnFixedGrid"),
        @JsonSubTypes.Type(value = SolveFailurePolicy.SkipMinibatch.class, name = "skipMinibatch")})
public sealed interface SolveFailurePolicy extends Serializable
        permits SolveFailurePolicy.Fail, SolveFailurePolicy.RetryOnFixedGrid, SolveFailurePolicy.SkipMinibatch {

    /** Throw: the default. */
    static Fail fail() {
        return new Fail();
    }

    /** Solve the failed pass again on {@code steps} equal steps (&gt;= 1) of the layer's solver. */
    static RetryOnFixedGrid retryOnFixedGrid(int steps) {
        return new RetryOnFixedGrid(steps);
    }

    /**
     * Skip the training minibatch: the layer outputs h(t0) at every output time and zero gradients,
     * and {@code SkipMinibatchListener} (needed) restores the parameters and the updater state.
     */
    static SkipMinibatch skipMinibatch() {
        return new SkipMinibatch();
    }

    /** Throw. */
    final class Fail implements SolveFailurePolicy {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean equals(Object o) {
            return o instanceof Fail;
        }

        @Override
        public int hashCode() {
            return 1;
        }

        @Override
        public String toString() {
            return "fail";
        }
    }

    /** Retry on a fixed grid. */
    final class RetryOnFixedGrid implements SolveFailurePolicy {
        private static final long serialVersionUID = 1L;
        private final int steps;

        @JsonCreator
        RetryOnFixedGrid(@JsonProperty("steps") int steps) {
            if (steps < 1) {
                throw new IllegalArgumentException("retryOnFixedGrid needs steps >= 1, got " + steps);
            }
            this.steps = steps;
        }

        @JsonProperty("steps")
        public int steps() {
            return steps;
        }

        /** The grid of the retry. */
        public Stepping stepping() {
            return Stepping.fixed(steps);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RetryOnFixedGrid r && r.steps == steps;
        }

        @Override
        public int hashCode() {
            return steps;
        }

        @Override
        public String toString() {
            return "retryOnFixedGrid(" + steps + ")";
        }
    }

    /** Skip the training minibatch. */
    final class SkipMinibatch implements SolveFailurePolicy {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean equals(Object o) {
            return o instanceof SkipMinibatch;
        }

        @Override
        public int hashCode() {
            return 2;
        }

        @Override
        public String toString() {
            return "skipMinibatch";
        }
    }
}
