package org.dl4jnode.samediff.tableau;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The coefficients of an explicit Runge-Kutta method, as data.
 *
 * <p>For {@code s} stages: {@code c} (length s) are the stage times as fractions of the step,
 * {@code a} (s rows, row i of length i) the strictly lower-triangular stage matrix, {@code b}
 * (length s) the weights of the solution. Embedded pairs also carry {@code bError}, the weights of
 * the error estimate {@code b - bHat}, so that {@code err = dt * sum_i bError_i k_i}.
 *
 * <p>One engine ({@code org.dl4jnode.samediff.solve.RungeKutta}) serves every tableau; a new method
 * is a new constant here, nothing else.
 */
public final class ButcherTableau {

    /** Forward Euler: order 1, one stage. */
    public static final ButcherTableau EULER = new ButcherTableau("Euler", 1, 0,
            new double[] {0},
            new double[][] {{}},
            new double[] {1},
            null);

    /** Explicit midpoint: order 2, two stages. */
    public static final ButcherTableau MIDPOINT = new ButcherTableau("Midpoint", 2, 0,
            new double[] {0, 0.5},
            new double[][] {{}, {0.5}},
            new double[] {0, 1},
            null);

    /** The classical fourth-order Runge-Kutta method: four stages. */
    public static final ButcherTableau RK4 = new ButcherTableau("RK4", 4, 0,
            new double[] {0, 0.5, 0.5, 1},
            new double[][] {{}, {0.5}, {0, 0.5}, {0, 0, 1}},
            new double[] {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6},
            null);

    /** Bogacki-Shampine 3(2): four stages, first-same-as-last, embedded second-order estimate. */
    public static final ButcherTableau BOSH3 = new ButcherTableau("Bosh3", 3, 2,
            new double[] {0, 0.5, 0.75, 1},
            new double[][] {{}, {0.5}, {0, 0.75}, {2.0 / 9, 1.0 / 3, 4.0 / 9}},
            new double[] {2.0 / 9, 1.0 / 3, 4.0 / 9, 0},
            new double[] {2.0 / 9 - 7.0 / 24, 1.0 / 3 - 1.0 / 4, 4.0 / 9 - 1.0 / 3, -1.0 / 8});

    /** Dormand-Prince 5(4): seven stages, first-same-as-last, embedded fourth-order estimate. */
    public static final ButcherTableau DOPRI5 = new ButcherTableau("Dopri5", 5, 4,
            new double[] {0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1},
            new double[][] {
                {},
                {1.0 / 5},
                {3.0 / 40, 9.0 / 40},
                {44.0 / 45, -56.0 / 15, 32.0 / 9},
                {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
                {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
                {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}},
            new double[] {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0},
            new double[] {35.0 / 384 - 5179.0 / 57600, 0, 500.0 / 1113 - 7571.0 / 16695,
                125.0 / 192 - 393.0 / 640, -2187.0 / 6784 + 92097.0 / 339200, 11.0 / 84 - 187.0 / 2100,
                -1.0 / 40});

    private static final double CONSISTENCY_TOLERANCE = 1e-12;

    private final String name;
    private final int order;
    private final int embeddedOrder;
    private final double[] c;
    private final double[][] a;
    private final double[] b;
    private final double[] bError;

    /**
     * @param name          a human-readable name used in messages
     * @param order         order of the solution weights {@code b}
     * @param embeddedOrder order of the embedded estimate, 0 when there is none
     * @param c             stage times, fractions of the step
     * @param a             stage matrix, row i has exactly i entries
     * @param b             solution weights
     * @param bError        error-estimate weights (b - bHat), or null for a fixed-step method
     * @throws IllegalArgumentException if the arrays are inconsistent (sizes, row sums of a != c,
     *                                  weights not summing to 1)
     */
    public ButcherTableau(String name, int order, int embeddedOrder, double[] c, double[][] a, double[] b,
                          double[] bError) {
        this.name = Objects.requireNonNull(name, "name");
        int s = c.length;
        if (s == 0 || a.length != s || b.length != s || (bError != null && bError.length != s)) {
            throw new IllegalArgumentException("Butcher tableau " + name + ": c, a, b"
                    + (bError != null ? ", bError" : "") + " must all have one entry per stage (" + s + ")");
        }
        for (int i = 0; i < s; i++) {
            if (a[i].length != i) {
                throw new IllegalArgumentException("Butcher tableau " + name + ": row " + i + " of a must have "
                        + i + " entries (explicit method), got " + a[i].length);
            }
            double rowSum = Arrays.stream(a[i]).sum();
            if (Math.abs(rowSum - c[i]) > CONSISTENCY_TOLERANCE) {
                throw new IllegalArgumentException("Butcher tableau " + name + ": row " + i + " of a sums to "
                        + rowSum + " but c[" + i + "] = " + c[i]);
            }
        }
        if (Math.abs(Arrays.stream(b).sum() - 1) > CONSISTENCY_TOLERANCE) {
            throw new IllegalArgumentException("Butcher tableau " + name + ": weights b must sum to 1");
        }
        if (bError != null && Math.abs(Arrays.stream(bError).sum()) > CONSISTENCY_TOLERANCE) {
            throw new IllegalArgumentException("Butcher tableau " + name + ": error weights must sum to 0");
        }
        if (order < 1 || (bError == null) != (embeddedOrder == 0)) {
            throw new IllegalArgumentException("Butcher tableau " + name + ": order " + order
                    + " / embedded order " + embeddedOrder + " do not fit the given weights");
        }
        this.order = order;
        this.embeddedOrder = embeddedOrder;
        this.c = c.clone();
        this.a = Arrays.stream(a).map(double[]::clone).toArray(double[][]::new);
        this.b = b.clone();
        this.bError = bError == null ? null : bError.clone();
    }

    public String name() {
        return name;
    }

    /** Order of the solution. */
    public int order() {
        return order;
    }

    /** Order of the embedded estimate, or empty for a fixed-step method. */
    public Optional<Integer> embeddedOrder() {
        return bError == null ? Optional.empty() : Optional.of(embeddedOrder);
    }

    public int stages() {
        return c.length;
    }

    public double c(int stage) {
        return c[stage];
    }

    public double a(int stage, int previous) {
        return a[stage][previous];
    }

    /** Row {@code stage} of the stage matrix (length {@code stage}); a copy. */
    public double[] aRow(int stage) {
        return a[stage].clone();
    }

    public double b(int stage) {
        return b[stage];
    }

    /** The solution weights; a copy. */
    public double[] weights() {
        return b.clone();
    }

    /** The error weights (b - bHat); a copy, or empty for a fixed-step method. */
    public Optional<double[]> errorWeights() {
        return Optional.ofNullable(bError).map(double[]::clone);
    }

    /** True for an embedded pair, which can drive adaptive step-size control. */
    public boolean isAdaptive() {
        return bError != null;
    }

    /**
     * First-same-as-last: the last stage is evaluated at the new solution, so it can be reused as the
     * first stage of the next step.
     */
    public boolean isFsal() {
        int s = stages();
        if (c[s - 1] != 1 || s < 2) {
            return false;
        }
        for (int j = 0; j < s - 1; j++) {
            if (a[s - 1][j] != b[j]) {
                return false;
            }
        }
        return b[s - 1] == 0;
    }

    @Override
    public String toString() {
        return name;
    }
}
