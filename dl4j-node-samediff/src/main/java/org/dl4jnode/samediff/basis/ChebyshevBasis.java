package org.dl4jnode.samediff.basis;

import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/** Chebyshev polynomials of the first kind T_0..T_n on [-1, 1]: {@code T_{k+1} = 2x T_k - T_{k-1}}. */
public final class ChebyshevBasis extends PolynomialFamily {

    private static final long serialVersionUID = 1L;

    /** @throws IllegalArgumentException for a degree &lt; 0 */
    @JsonCreator
    public ChebyshevBasis(@JsonProperty("degree") int degree) {
        super(degree);
    }

    @Override
    protected String name() {
        return "Chebyshev";
    }

    @Override
    public double[][] coefficients() {
        return threeTermRecurrence(degree, new Recurrence() {
            public double a(int k) {
                return 2;
            }

            public double b(int k) {
                return 1;
            }
        });
    }
}
