package org.dl4jnode.samediff.basis;

import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Legendre polynomials P_0..P_n on [-1, 1], orthogonal in L2:
 * {@code (k + 1) P_{k+1} = (2k + 1) x P_k - k P_{k-1}}.
 */
public final class LegendreBasis extends PolynomialFamily {

    private static final long serialVersionUID = 1L;

    /** @throws IllegalArgumentException for a degree &lt; 0 */
    @JsonCreator
    public LegendreBasis(@JsonProperty("degree") int degree) {
        super(degree);
    }

    @Override
    protected String name() {
        return "Legendre";
    }

    @Override
    public double[][] coefficients() {
        return threeTermRecurrence(degree, new Recurrence() {
            public double a(int k) {
                return (2.0 * k + 1) / (k + 1);
            }

            public double b(int k) {
                return (double) k / (k + 1);
            }
        });
    }
}
