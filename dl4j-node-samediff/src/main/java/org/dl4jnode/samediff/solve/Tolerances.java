package org.dl4jnode.samediff.solve;

/**
 * Relative and absolute tolerances of an adaptive solve: a step is accepted when the RMS over all
 * elements of {@code error / (atol + rtol * max(|y_start|, |y_end|))} is at most 1.
 *
 * @param rtol relative tolerance, &gt; 0
 * @param atol absolute tolerance, &gt; 0
 */
public record Tolerances(double rtol, double atol) {

    public Tolerances {
        if (!(rtol > 0) || !(atol > 0) || Double.isInfinite(rtol) || Double.isInfinite(atol)) {
            throw new IllegalArgumentException("tolerances must be finite and > 0, got rtol = " + rtol + ", atol = "
                    + atol);
        }
    }
}
