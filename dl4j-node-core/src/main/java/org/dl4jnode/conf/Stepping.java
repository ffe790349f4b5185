package org.dl4jnode.conf;

import org.dl4jnode.samediff.solve.AdaptiveGrid;
import org.dl4jnode.samediff.solve.FixedGrid;
import org.dl4jnode.samediff.solve.StepSizeController;
import org.dl4jnode.samediff.solve.TimeGrid;
import org.dl4jnode.samediff.solve.Tolerances;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.nd4j.shade.jackson.annotation.JsonSubTypes;
import org.nd4j.shade.jackson.annotation.JsonTypeInfo;

import java.io.Serializable;
import java.util.Objects;

/**
 * How an ODE layer's solve covers its span, an immutable value that its JSON carries:
 * {@link #fixed(int)} equal steps, or {@link #adaptive(double, double, int, double)} steps chosen by
 * an embedded pair's error estimate, sized by a {@link StepSizeController} (the integral one unless
 * {@link Adaptive#withController} says otherwise). JSON: {@code {"type" : "fixed", "steps" : 4}} or
 * {@code {"type" : "adaptive", "rtol" : ..., "atol" : ..., "maxSteps" : ..., "minStep" : ..., "controller" : {...}}}
 * (files without {@code "controller"} read as the integral controller).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = Stepping.Fixed.class, name = "fixed"),
        @JsonSubTypes.Type(value = Stepping.Adaptive.class, name = "adaptive")})
public sealed interface Stepping extends Serializable permits Stepping.Fixed, Stepping.Adaptive {

    /** {@code steps} equal steps over the span (&gt;= 1). */
    static Fixed fixed(int steps) {
        return new Fixed(steps);
    }

    /**
     * Adaptive steps: a step is accepted when the RMS of {@code error / (atol + rtol |h|)} is at most 1.
     *
     * @param maxSteps accepted steps before the solve fails (&gt;= 1)
     * @param minStep  the smallest step size before the solve fails (&gt;= 0; 0: none)
     */
    static Adaptive adaptive(double rtol, double atol, int maxSteps, double minStep) {
        return new Adaptive(rtol, atol, maxSteps, minStep);
    }

    /** The grid over [t0, t1]. */
    TimeGrid grid(double t0, double t1);

    /** The same policy over the part [from, to] of a span of length {@code span} (output-time segments). */
    TimeGrid segment(double from, double to, double span);

    /** Equal steps. */
    final class Fixed implements Stepping {
        private static final long serialVersionUID = 1L;
        private final int steps;

        @JsonCreator
        Fixed(@JsonProperty("steps") int steps) {
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            }
            this.steps = steps;
        }

        @JsonProperty("steps")
        public int steps() {
            return steps;
        }

        @Override
        public TimeGrid grid(double t0, double t1) {
            return new FixedGrid(t0, t1, steps);
        }

        /** At least one step, in proportion to the part's length: times on the grid keep it exactly. */
        @Override
        public TimeGrid segment(double from, double to, double span) {
            return new FixedGrid(from, to, Math.max(1, (int) Math.ceil(steps * (to - from) / span - 1e-9)));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Fixed f && f.steps == steps;
        }

        @Override
        public int hashCode() {
            return steps;
        }

        @Override
        public String toString() {
            return "steps=" + steps;
        }
    }

    /** Steps chosen by an embedded pair's error estimate. */
    final class Adaptive implements Stepping {
        private static final long serialVersionUID = 1L;
        private final double rtol;
        private final double atol;
        private final int maxSteps;
        private final double minStep;
        private final StepSizeController controller;

        Adaptive(double rtol, double atol, int maxSteps, double minStep) {
            this(rtol, atol, maxSteps, minStep, StepSizeController.DEFAULT);
        }

        @JsonCreator
        Adaptive(@JsonProperty("rtol") double rtol, @JsonProperty("atol") double atol,
                 @JsonProperty("maxSteps") int maxSteps, @JsonProperty("minStep") double minStep,
                 @JsonProperty("controller") StepSizeController controller) {
            new Tolerances(rtol, atol); // checks them
            if (maxSteps < 1) {
                throw new IllegalArgumentException("maxSteps must be >= 1, got " + maxSteps);
            }
            if (!(minStep >= 0) || Double.isInfinite(minStep)) {
                throw new IllegalArgumentException("minStep must be finite and >= 0, got " + minStep);
            }
            this.rtol = rtol;
            this.atol = atol;
            this.maxSteps = maxSteps;
            this.minStep = minStep;
            this.controller = controller == null ? StepSizeController.DEFAULT : controller;
        }

        /** This stepping with another step-size controller. */
        public Adaptive withController(StepSizeController controller) {
            return new Adaptive(rtol, atol, maxSteps, minStep, Objects.requireNonNull(controller, "controller"));
        }

        /** How the next step is sized from the errors (default the integral controller). */
        @JsonProperty("controller")
        public StepSizeController controller() {
            return controller;
        }

        @JsonProperty("rtol")
        public double rtol() {
            return rtol;
        }

        @JsonProperty("atol")
        public double atol() {
            return atol;
        }

        @JsonProperty("maxSteps")
        public int maxSteps() {
            return maxSteps;
        }

        @JsonProperty("minStep")
        public double minStep() {
            return minStep;
        }

        @JsonIgnore
        public Tolerances tolerances() {
            return new Tolerances(rtol, atol);
        }

        @Override
        public TimeGrid grid(double t0, double t1) {
            return new AdaptiveGrid(t0, t1, tolerances(), controller, maxSteps, minStep);
        }

        /** Exactly to the part's end, with the whole step budget. */
        @Override
        public TimeGrid segment(double from, double to, double span) {
            return grid(from, to);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Adaptive a && Double.compare(a.rtol, rtol) == 0 && Double.compare(a.atol, atol) == 0
                    && a.maxSteps == maxSteps && Double.compare(a.minStep, minStep) == 0
                    && a.controller.equals(controller);
        }

        @Override
        public int hashCode() {
            return Objects.hash(rtol, atol, maxSteps, minStep, controller);
        }

        @Override
        public String toString() {
            return "rtol=" + rtol + ", atol=" + atol + ", maxSteps=" + maxSteps + (minStep > 0 ? ", minStep=" + minStep : "")
                    + (controller.isIntegral() ? "" : ", " + controller);
        }
    }
}
