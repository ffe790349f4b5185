package org.dl4jnode.samediff.basis;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Polynomials p_0, ..., p_n of degree 0..n on [-1, 1], the layer's span mapped affinely onto it:
 * {@code x = 2 (t - t0) / (t1 - t0) - 1}; {@code m = n + 1} functions.
 *
 * <p>A family is data: the monomial coefficients of each p_j ({@link #coefficients()}). The graph
 * evaluates the powers {@code [1, x, ..., x^n]} once and multiplies them by that matrix, so every
 * family shares one evaluation. In double precision this is exact to ~1e-13 for the degrees a layer
 * uses (up to ~15).
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE, isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public abstract class PolynomialFamily implements FunctionBasis {

    private static final long serialVersionUID = 1L;

    @JsonProperty("degree")
    protected final int degree;

    protected PolynomialFamily(int degree) {
        if (degree < 0) {
            throw new IllegalArgumentException(name() + " basis: the degree must be >= 0, got " + degree);
        }
        this.degree = degree;
    }

    /** The highest degree n. */
    public int degree() {
        return degree;
    }

    /** The family's name for messages, e.g. "Chebyshev". */
    protected abstract String name();

    /**
     * Row j holds the monomial coefficients of p_j: {@code p_j(x) = sum_k c[j][k] x^k}; an
     * {@code (n + 1) x (n + 1)} lower-triangular matrix.
     */
    public abstract double[][] coefficients();

    /**
     * Coefficients of the family defined by the three-term recurrence
     * {@code p_{k+1} = (a_k x) p_k - b_k p_{k-1}} from {@code p_0 = 1, p_1 = x}.
     */
    protected static double[][] threeTermRecurrence(int degree, Recurrence recurrence) {
        double[][] c = new double[degree + 1][degree + 1];
        c[0][0] = 1;
        if (degree >= 1) {
            c[1][1] = 1;
        }
        for (int k = 1; k < degree; k++) {
            double a = recurrence.a(k);
            double b = recurrence.b(k);
            for (int i = 0; i <= k + 1; i++) {
                double shifted = i == 0 ? 0 : a * c[k][i - 1];
                c[k + 1][i] = shifted - b * c[k - 1][i];
            }
        }
        return c;
    }

    /** The factors of a three-term recurrence at step k &gt;= 1. */
    protected interface Recurrence {
        double a(int k);

        double b(int k);
    }

    @Override
    public int size() {
        return degree + 1;
    }

    @Override
    public SDVariable evaluate(SameDiff sd, SDVariable t, double t0, double t1) {
        SDVariable one = sd.constant(Nd4j.ones(t.dataType(), 1));
        if (degree == 0) {
            return one.reshape(1, 1);
        }
        SDVariable x = t.sub(t0).mul(2.0 / (t1 - t0)).sub(1.0);
        SDVariable powers = sd.cumprod(x.mul(sd.constant(Nd4j.ones(t.dataType(), degree))), 0);
        SDVariable monomials = sd.concat(0, one, powers).reshape(1, degree + 1);
        SDVariable transposed = sd.constant(Nd4j.createFromArray(coefficients()).transpose().castTo(t.dataType()));
        return monomials.mmul(transposed);
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && ((PolynomialFamily) o).degree == degree;
    }

    @Override
    public int hashCode() {
        return 31 * getClass().hashCode() + degree;
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT) + "(" + degree + ")";
    }
}
