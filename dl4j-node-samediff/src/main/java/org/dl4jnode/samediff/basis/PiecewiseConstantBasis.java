package org.dl4jnode.samediff.basis;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Arrays;

/**
 * The indicators of {@code n} equal intervals of the span: psi_j(t) = 1 on
 * {@code [t0 + j L/n, t0 + (j+1) L/n)} (the last interval closed), else 0; {@code m = n}. A Galerkin
 * layer on this basis is the stacked model: each depth interval has its own weights.
 *
 * <p>Times before t0 belong to the first interval, times after t1 to the last. At an interval
 * boundary the later interval's weights apply, so a Runge-Kutta stage that lands exactly on a
 * boundary (RK4's last stage when the steps align with the intervals) already sees the next
 * block's weights: the solve is the stacked model up to that O(step) effect per boundary.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE, isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class PiecewiseConstantBasis implements FunctionBasis {

    private static final long serialVersionUID = 1L;

    @JsonProperty("intervals")
    private final int intervals;

    /** @throws IllegalArgumentException for fewer than one interval */
    @JsonCreator
    public PiecewiseConstantBasis(@JsonProperty("intervals") int intervals) {
        if (intervals < 1) {
            throw new IllegalArgumentException("piecewise-constant basis: the number of intervals must be >= 1, got "
                    + intervals);
        }
        this.intervals = intervals;
    }

    public int intervals() {
        return intervals;
    }

    @Override
    public int size() {
        return intervals;
    }

    /** Every interval carries the constant: the stacked blocks all start from the same weights. */
    @Override
    public double[] constant() {
        double[] c = new double[intervals];
        Arrays.fill(c, 1.0);
        return c;
    }

    @Override
    public SDVariable evaluate(SameDiff sd, SDVariable t, double t0, double t1) {
        double[] lower = new double[intervals];
        double[] upper = new double[intervals];
        for (int j = 0; j < intervals; j++) {
            lower[j] = j == 0 ? Double.NEGATIVE_INFINITY : j;
            upper[j] = j == intervals - 1 ? Double.POSITIVE_INFINITY : j + 1;
        }
        SDVariable s = t.sub(t0).mul(intervals / (t1 - t0));
        SDVariable from = sd.constant(Nd4j.createFromArray(lower).castTo(t.dataType()));
        SDVariable to = sd.constant(Nd4j.createFromArray(upper).castTo(t.dataType()));
        SDVariable inside = sd.gte(s, from).castTo(t.dataType()).mul(sd.lt(s, to).castTo(t.dataType()));
        return inside.reshape(1, intervals);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PiecewiseConstantBasis p && intervals == p.intervals;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(intervals);
    }

    @Override
    public String toString() {
        return "piecewiseConstant(" + intervals + ")";
    }
}
