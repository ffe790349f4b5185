package org.dl4jnode.samediff.tableau;

import java.util.Arrays;

/**
 * A Runge-Kutta method's dense output: weights {@code b_i(theta)} such that
 * {@code y(t + theta dt) ~ y + dt sum_i b_i(theta) k_i} for {@code theta} in [0, 1], from the stages
 * the step has already evaluated, so a solution can be read between steps at no extra evaluation.
 *
 * <p>Each weight is a polynomial without constant term, stored by its coefficients:
 * {@code b_i(theta) = sum_m p[i][m] theta^(m+1)}. At theta = 1 the weights are the method's solution
 * weights (checked by {@link ButcherTableau}), so the interpolant is continuous across steps.
 */
public final class ContinuousExtension {

    private final int order;
    private final double[][] coefficients;

    /**
     * @param order        the interpolant's order of accuracy (its local error is O(dt^(order+1)))
     * @param coefficients one row per stage, {@code p[i][m]} the coefficient of theta^(m+1) in b_i
     * @throws IllegalArgumentException if there are no stages, rows differ in length or an entry is not finite
     */
    public ContinuousExtension(int order, double[][] coefficients) {
        if (order < 1 || coefficients.length == 0) {
            throw new IllegalArgumentException("a continuous extension needs an order >= 1 and at least one stage, "
                    + "got order " + order + " and " + coefficients.length + " stages");
        }
        int degree = coefficients[0].length;
        for (double[] row : coefficients) {
            if (row.length != degree || degree == 0 || !Arrays.stream(row).allMatch(Double::isFinite)) {
                throw new IllegalArgumentException("a continuous extension's rows must be finite and of one "
                        + "length >= 1, got " + Arrays.deepToString(coefficients));
            }
        }
        this.order = order;
        this.coefficients = Arrays.stream(coefficients).map(double[]::clone).toArray(double[][]::new);
    }

    /** Order of accuracy of the interpolated solution. */
    public int order() {
        return order;
    }

    public int stages() {
        return coefficients.length;
    }

    /**
     * The weights {@code b_i(theta)}, one per stage.
     *
     * @param theta where in the step, as a fraction of it: 0 at its start, 1 at its end
     */
    public double[] weights(double theta) {
        double[] w = new double[coefficients.length];
        for (int i = 0; i < w.length; i++) {
            double[] p = coefficients[i];
            double sum = 0;
            for (int m = p.length - 1; m >= 0; m--) {
                sum = (sum + p[m]) * theta;
            }
            w[i] = sum;
        }
        return w;
    }

    /**
     * Dormand and Prince's 5(4) pair's dense output of order 4 (Shampine 1986; Hairer, Norsett and
     * Wanner, <i>Solving ODEs I</i>, II.6), which they give in nested form:
     * {@code y(theta) = y + theta (r2 + (1 - theta)(r3 + theta (r4 + (1 - theta) r5)))} with
     * {@code r2 = dt sum b_i k_i}, {@code r3 = dt k_1 - r2}, {@code r4 = r2 - dt k_7 - r3},
     * {@code r5 = dt sum d_i k_i}; expanded here into powers of theta, per stage.
     *
     * @param b the pair's solution weights (seven stages)
     */
    static ContinuousExtension dormandPrince(double[] b) {
        double[] d = {-12715105075.0 / 11282082432.0, 0, 87487479700.0 / 32700410799.0,
            -10690763975.0 / 1880347072.0, 701980252875.0 / 199316789632.0, -1453857185.0 / 822651844.0,
            69997945.0 / 29380423.0};
        double[][] p = new double[b.length][];
        for (int i = 0; i < b.length; i++) {
            double first = i == 0 ? 1 : 0;
            double last = i == b.length - 1 ? 1 : 0;
            double r3 = first - b[i];
            double r4 = b[i] - last - r3;
            // theta (b + (1 - theta)(r3 + theta (r4 + (1 - theta) d))), multiplied out
            p[i] = new double[] {b[i] + r3, r4 + d[i] - r3, -(r4 + 2 * d[i]), d[i]};
        }
        return new ContinuousExtension(4, p);
    }

    @Override
    public String toString() {
        return "dense output of order " + order;
    }
}
