package org.dl4jnode.samediff.solve;

import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.io.Serializable;

/**
 * How an adaptive solve sizes its next step from the scaled errors of its steps: a PID controller
 * (Söderlind; diffrax's {@code PIDController}). With e_n the error norm of the step just tried,
 * e_(n-1) and e_(n-2) those of the two accepted steps before it (1 before there are any) and k = q + 1
 * for an embedded pair of lower order q, the step is multiplied by
 * <pre>
 *   clamp(safety * e_n^(-(p + i + d) / k) * e_(n-1)^((p + 2 d) / k) * e_(n-2)^(-d / k), minFactor, maxFactor)
 * </pre>
 * and never grows after a rejection. {@link #integral()} (p = d = 0, i = 1) is the classic
 * controller, {@code safety * e^(-1 / k)}; a proportional term ({@link #pid(double, double, double)},
 * e.g. p = 0.4, i = 0.3) damps the step sizes' oscillation on stiff-ish fields, where the
 * integral controller alternates accepted and rejected steps. Immutable; JSON
 * {@code {"safety" : 0.9, "minFactor" : 0.2, "maxFactor" : 10.0, "pcoeff" : 0.0, "icoeff" : 1.0, "dcoeff" : 0.0}}.
 *
 * @param safety    factor below 1 that keeps the next step from being rejected (default 0.9)
 * @param minFactor the most a step may shrink at once (default 0.2)
 * @param maxFactor the most a step may grow at once (default 10)
 * @param pcoeff    proportional coefficient p (default 0)
 * @param icoeff    integral coefficient i, &gt; 0 (default 1)
 * @param dcoeff    derivative coefficient d (default 0)
 */
public record StepSizeController(@JsonProperty("safety") double safety, @JsonProperty("minFactor") double minFactor,
                                 @JsonProperty("maxFactor") double maxFactor, @JsonProperty("pcoeff") double pcoeff,
                                 @JsonProperty("icoeff") double icoeff, @JsonProperty("dcoeff") double dcoeff)
        implements Serializable {

    /** The integral controller: safety 0.9, shrink to at most 0.2x, grow to at most 10x. */
    public static final StepSizeController DEFAULT = new StepSizeController(0.9, 0.2, 10.0);

    @JsonCreator
    public StepSizeController {
        if (!(safety > 0 && safety <= 1) || !(minFactor > 0 && minFactor < 1) || !(maxFactor > 1)
                || Double.isInfinite(maxFactor)) {
            throw new IllegalArgumentException("step-size controller needs 0 < safety <= 1, 0 < minFactor < 1 < "
                    + "maxFactor < inf, got " + safety + ", " + minFactor + ", " + maxFactor);
        }
        if (!Double.isFinite(pcoeff) || !Double.isFinite(dcoeff) || !(icoeff > 0) || Double.isInfinite(icoeff)) {
            throw new IllegalArgumentException("step-size controller needs finite pcoeff and dcoeff and a finite "
                    + "icoeff > 0 (without the integral term the steps do not follow the error), got pcoeff = "
                    + pcoeff + ", icoeff = " + icoeff + ", dcoeff = " + dcoeff);
        }
    }

    /** The integral controller with these limits. */
    public StepSizeController(double safety, double minFactor, double maxFactor) {
        this(safety, minFactor, maxFactor, 0, 1, 0);
    }

    /** The classic integral controller ({@link #DEFAULT}). */
    public static StepSizeController integral() {
        return DEFAULT;
    }

    /** A PID controller with the default safety and limits. */
    public static StepSizeController pid(double pcoeff, double icoeff, double dcoeff) {
        return new StepSizeController(DEFAULT.safety, DEFAULT.minFactor, DEFAULT.maxFactor, pcoeff, icoeff, dcoeff);
    }

    /** This controller with another safety factor and growth limits. */
    public StepSizeController withLimits(double safety, double minFactor, double maxFactor) {
        return new StepSizeController(safety, minFactor, maxFactor, pcoeff, icoeff, dcoeff);
    }

    /** True for the integral controller, which needs no history. */
    public boolean isIntegral() {
        return pcoeff == 0 && icoeff == 1 && dcoeff == 0;
    }

    /** A fresh history of accepted errors for one solve. */
    public History history() {
        return new History();
    }

    /**
     * The factor for the next step size.
     *
     * @param errorNorm    the scaled error of the step just tried
     * @param order        q, the lower order of the embedded pair
     * @param lastRejected whether the step just tried or the one before was rejected (then the step does not grow)
     * @param history      the errors of the solve's accepted steps so far
     */
    public double factor(double errorNorm, int order, boolean lastRejected, History history) {
        double upper = lastRejected ? 1.0 : maxFactor;
        if (errorNorm == 0) {
            return upper;
        }
        double k = order + 1;
        double factor = safety * Math.pow(errorNorm, -(pcoeff + icoeff + dcoeff) / k);
        if (pcoeff != 0 || dcoeff != 0) {
            factor *= Math.pow(history.previous, (pcoeff + 2 * dcoeff) / k) * Math.pow(history.beforePrevious, -dcoeff / k);
        }
        return Math.max(minFactor, Math.min(upper, factor));
    }

    /** As {@link #factor(double, int, boolean, History)} for the integral controller, which reads no history. */
    public double factor(double errorNorm, int order, boolean lastRejected) {
        return factor(errorNorm, order, lastRejected, new History());
    }

    @Override
    public String toString() {
        return isIntegral() ? "integral controller" : "PID controller (p = " + pcoeff + ", i = " + icoeff + ", d = "
                + dcoeff + ")";
    }

    /**
     * The scaled errors of the last two accepted steps of one solve (1 before there are any, which
     * leaves the proportional and derivative terms out); a zero error counts as a tiny one.
     */
    public static final class History {
        private double previous = 1;
        private double beforePrevious = 1;

        /** Records the error of an accepted step. */
        public void accept(double errorNorm) {
            beforePrevious = previous;
            previous = Math.max(errorNorm, 1e-10);
        }
    }
}
