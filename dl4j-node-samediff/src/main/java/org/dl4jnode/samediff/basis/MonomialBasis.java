package org.dl4jnode.samediff.basis;

import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/** The monomials 1, x, ..., x^n on [-1, 1]: a plain polynomial in depth. */
public final class MonomialBasis extends PolynomialFamily {

    private static final long serialVersionUID = 1L;

    /** @throws IllegalArgumentException for a degree &lt; 0 */
    @JsonCreator
    public MonomialBasis(@JsonProperty("degree") int degree) {
        super(degree);
    }

    @Override
    protected String name() {
        return "Polynomial";
    }

    @Override
    public double[][] coefficients() {
        double[][] c = new double[degree + 1][degree + 1];
        for (int j = 0; j <= degree; j++) {
            c[j][j] = 1;
        }
        return c;
    }
}
