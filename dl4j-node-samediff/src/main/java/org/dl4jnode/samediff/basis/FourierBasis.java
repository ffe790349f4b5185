package org.dl4jnode.samediff.basis;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * A truncated Fourier series: the constant and {@code n} harmonics,
 * {@code [1, cos(w s), cos(2 w s), ..., cos(n w s), sin(w s), ..., sin(n w s)]} with
 * {@code s = t - t0} and {@code w = 2 pi / period}; {@code m = 2n + 1} functions.
 *
 * <p>The period defaults to the length of the layer's time span, so the weights are periodic over
 * the span; a longer period lets W(t1) differ from W(t0).
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE, isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class FourierBasis implements FunctionBasis {

    private static final long serialVersionUID = 1L;

    @JsonProperty("harmonics")
    private final int harmonics;
    /** NaN: the span length. */
    @JsonProperty("period")
    private final double period;

    /**
     * @param harmonics number of harmonics n &gt;= 0
     * @param period    the period in time units, &gt; 0, or NaN for the layer's span length
     * @throws IllegalArgumentException for n &lt; 0 or a period that is not NaN and not &gt; 0
     */
    @JsonCreator
    public FourierBasis(@JsonProperty("harmonics") int harmonics, @JsonProperty("period") double period) {
        if (harmonics < 0) {
            throw new IllegalArgumentException("Fourier basis: the number of harmonics must be >= 0, got " + harmonics);
        }
        if (!Double.isNaN(period) && !(period > 0 && Double.isFinite(period))) {
            throw new IllegalArgumentException("Fourier basis: the period must be finite and > 0, got " + period);
        }
        this.harmonics = harmonics;
        this.period = period;
    }

    /** The constant and {@code n} harmonics of period = span length. */
    public static FourierBasis of(int harmonics) {
        return new FourierBasis(harmonics, Double.NaN);
    }

    /** A copy with the given period (time units, &gt; 0) instead of the span length. */
    public FourierBasis period(double period) {
        return new FourierBasis(harmonics, period);
    }

    public int harmonics() {
        return harmonics;
    }

    /** The period for a layer on [t0, t1]. */
    public double period(double t0, double t1) {
        return Double.isNaN(period) ? t1 - t0 : period;
    }

    @Override
    public int size() {
        return 2 * harmonics + 1;
    }

    @Override
    public SDVariable evaluate(SameDiff sd, SDVariable t, double t0, double t1) {
        SDVariable one = sd.constant(Nd4j.ones(t.dataType(), 1));
        if (harmonics == 0) {
            return one.reshape(1, 1);
        }
        double[] w = new double[harmonics];
        for (int k = 0; k < harmonics; k++) {
            w[k] = 2 * Math.PI * (k + 1) / period(t0, t1);
        }
        SDVariable angles = sd.constant(Nd4j.createFromArray(w).castTo(t.dataType())).mul(t.sub(t0));
        return sd.concat(0, one, sd.math.cos(angles), sd.math.sin(angles)).reshape(1, size());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FourierBasis f && harmonics == f.harmonics && Double.compare(period, f.period) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(harmonics, period);
    }

    @Override
    public String toString() {
        return "fourier(" + harmonics + (Double.isNaN(period) ? "" : ", period " + period) + ")";
    }
}
