package org.dl4jnode.samediff.solve;

/**
 * The standard integral step-size controller: the next step is
 * {@code h * clamp(safety * norm^(-1 / (q + 1)), minFactor, maxFactor)}, q the lower order of the
 * embedded pair; after a rejection the step never grows.
 *
 * @param safety    factor below 1 that keeps the next step from being rejected (default 0.9)
 * @param minFactor the most a step may shrink at once (default 0.2)
 * @param maxFactor the most a step may grow at once (default 10)
 */
public record StepSizeController(double safety, double minFactor, double maxFactor) {

    /** safety 0.9, shrink to at most 0.2x, grow to at most 10x. */
    public static final StepSizeController DEFAULT = new StepSizeController(0.9, 0.2, 10.0);

    public StepSizeController {
        if (!(safety > 0 && safety <= 1) || !(minFactor > 0 && minFactor < 1) || !(maxFactor > 1)
                || Double.isInfinite(maxFactor)) {
            throw new IllegalArgumentException("step-size controller needs 0 < safety <= 1, 0 < minFactor < 1 < "
                    + "maxFactor < inf, got " + safety + ", " + minFactor + ", " + maxFactor);
        }
    }

    /**
     * The factor for the next step size.
     *
     * @param errorNorm    the scaled error of the step just tried
     * @param order        q, the lower order of the embedded pair
     * @param lastRejected whether the previous attempt was rejected (then the step does not grow)
     */
    public double factor(double errorNorm, int order, boolean lastRejected) {
        double upper = lastRejected ? 1.0 : maxFactor;
        if (errorNorm == 0) {
            return upper;
        }
        double factor = safety * Math.pow(errorNorm, -1.0 / (order + 1));
        return Math.max(minFactor, Math.min(upper, factor));
    }
}
