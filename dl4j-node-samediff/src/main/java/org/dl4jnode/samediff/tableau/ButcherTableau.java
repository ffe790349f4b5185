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

    /**
     * Dormand-Prince 5(4): seven stages, first-same-as-last, embedded fourth-order estimate, and
     * Shampine's dense output of order 4.
     */
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
            dopri5Weights(),
            new double[] {35.0 / 384 - 5179.0 / 57600, 0, 500.0 / 1113 - 7571.0 / 16695,
                125.0 / 192 - 393.0 / 640, -2187.0 / 6784 + 92097.0 / 339200, 11.0 / 84 - 187.0 / 2100,
                -1.0 / 40},
            ContinuousExtension.dormandPrince(dopri5Weights()));

    private static double[] dopri5Weights() {
        return new double[] {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0};
    }

    /**
     * Tsitouras 5(4) (2011): seven stages, first-same-as-last, embedded fourth-order estimate; its
     * coefficients minimise the principal error under simplifying assumptions, so it tends to reach a
     * tolerance in fewer steps than {@link #DOPRI5}; with its own dense output of order 4.
     * Coefficients to double precision as published.
     */
    public static final ButcherTableau TSIT5 = new ButcherTableau("Tsit5", 5, 4,
            new double[] {0, 0.161, 0.327, 0.9, 0.9800255409045097, 1, 1},
            new double[][] {
                {},
                {0.161},
                {-0.008480655492356989, 0.335480655492357},
                {2.8971530571054935, -6.359448489975075, 4.3622954328695815},
                {5.325864828439257, -11.748883564062828, 7.4955393428898365, -0.09249506636175525},
                {5.86145544294642, -12.92096931784711, 8.159367898576159, -0.071584973281401,
                    -0.028269050394068383},
                {0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742, -3.290069515436081,
                    2.324710524099774}},
            new double[] {0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742, -3.290069515436081,
                2.324710524099774, 0},
            new double[] {0.00178001105222577714, 0.0008164344596567469, -0.007880878010261995,
                0.1447110071732629, -0.5823571654525552, 0.45808210592918697, -1.0 / 66},
            // Tsitouras' own interpolant (order 4), its seven polynomials multiplied out into powers of theta
            new ContinuousExtension(4, new double[][] {
                {1, -2.763706197274826, 2.9132554618219126, -1.0530884977290216},
                {0, 0.13169999999999998, -0.2234, 0.1017},
                {0, 3.930296236894751, -5.941033872131505, 2.490627285651253},
                {0, -12.411077166933676, 30.338188630282318, -16.548102889244902},
                {0, 37.50931341651104, -88.1789048947664, 47.37952196281928},
                {0, -27.896526289197286, 65.09189467479368, -34.87065786149661},
                {0, 1.5, -4.0, 2.5}}));

    /**
     * Prince-Dormand 8(7) (RK8(7)13M, 1981): thirteen stages, embedded seventh-order estimate; for
     * tight tolerances on smooth fields. Its rational coefficients in double precision.
     */
    public static final ButcherTableau DOPRI8 = new ButcherTableau("Dopri8", 8, 7,
            new double[] {0, 1.0 / 18, 1.0 / 12, 1.0 / 8, 5.0 / 16, 3.0 / 8, 59.0 / 400, 93.0 / 200,
                5490023248.0 / 9719169821.0, 13.0 / 20, 1201146811.0 / 1299019798.0, 1, 1},
            new double[][] {
                {},
                {1.0 / 18},
                {1.0 / 48, 1.0 / 16},
                {1.0 / 32, 0, 3.0 / 32},
                {5.0 / 16, 0, -75.0 / 64, 75.0 / 64},
                {3.0 / 80, 0, 0, 3.0 / 16, 3.0 / 20},
                {29443841.0 / 614563906, 0, 0, 77736538.0 / 692538347, -28693883.0 / 1125000000,
                    23124283.0 / 1800000000},
                {16016141.0 / 946692911, 0, 0, 61564180.0 / 158732637, 22789713.0 / 633445777,
                    545815736.0 / 2771057229.0, -180193667.0 / 1043307555},
                {39632708.0 / 573591083, 0, 0, -433636366.0 / 683701615, -421739975.0 / 2616292301.0,
                    100302831.0 / 723423059, 790204164.0 / 839813087, 800635310.0 / 3783071287.0},
                {246121993.0 / 1340847787, 0, 0, -37695042795.0 / 15268766246.0, -309121744.0 / 1061227803,
                    -12992083.0 / 490766935, 6005943493.0 / 2108947869.0, 393006217.0 / 1396673457,
                    123872331.0 / 1001029789},
                {-1028468189.0 / 846180014, 0, 0, 8478235783.0 / 508512852, 1311729495.0 / 1432422823,
                    -10304129995.0 / 1701304382, -48777925059.0 / 3047939560.0, 15336726248.0 / 1032824649,
                    -45442868181.0 / 3398467696.0, 3065993473.0 / 597172653},
                {185892177.0 / 718116043, 0, 0, -3185094517.0 / 667107341, -477755414.0 / 1098053517,
                    -703635378.0 / 230739211, 5731566787.0 / 1027545527, 5232866602.0 / 850066563,
                    -4093664535.0 / 808688257, 3962137247.0 / 1805957418, 65686358.0 / 487910083},
                {403863854.0 / 491063109, 0, 0, -5068492393.0 / 434740067, -411421997.0 / 543043805,
                    652783627.0 / 914296604, 11173962825.0 / 925320556, -13158990841.0 / 6184727034.0,
                    3936647629.0 / 1978049680, -160528059.0 / 685178525, 248638103.0 / 1413531060, 0}},
            dopri8Weights(),
            dopri8ErrorWeights());

    private static double[] dopri8Weights() {
        return new double[] {14005451.0 / 335480064, 0, 0, 0, 0, -59238493.0 / 1068277825, 181606767.0 / 758867731,
            561292985.0 / 797845732, -1041891430.0 / 1371343529, 760417239.0 / 1151165299,
            118820643.0 / 751138087, -528747749.0 / 2220607170.0, 1.0 / 4};
    }

    /** b - bHat, bHat the seventh-order weights. */
    private static double[] dopri8ErrorWeights() {
        double[] bHat = {13451932.0 / 455176623, 0, 0, 0, 0, -808719846.0 / 976000145, 1757004468.0 / 5645159321.0,
            656045339.0 / 265891186, -3867574721.0 / 1518517206, 465885868.0 / 322736535, 53011238.0 / 667516719,
            2.0 / 45, 0};
        double[] err = dopri8Weights();
        for (int i = 0; i < err.length; i++) {
            err[i] -= bHat[i];
        }
        return err;
    }

    private static final double CONSISTENCY_TOLERANCE = 1e-12;

    private final String name;
    private final int order;
    private final int embeddedOrder;
    private final double[] c;
    private final double[][] a;
    private final double[] b;
    private final double[] bError;
    private final ContinuousExtension continuousExtension;

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
        this(name, order, embeddedOrder, c, a, b, bError, null);
    }

    /**
     * As {@link #ButcherTableau(String, int, int, double[], double[][], double[], double[])}, with a dense
     * output.
     *
     * @param continuousExtension the method's interpolant, or null when it has none
     * @throws IllegalArgumentException also if the interpolant has another number of stages or its
     *                                  weights at theta = 1 are not {@code b}
     */
    public ButcherTableau(String name, int order, int embeddedOrder, double[] c, double[][] a, double[] b,
                          double[] bError, ContinuousExtension continuousExtension) {
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
        if (continuousExtension != null) {
            double[] atEnd = continuousExtension.stages() == s ? continuousExtension.weights(1) : null;
            for (int i = 0; atEnd != null && i < s; i++) {
                if (Math.abs(atEnd[i] - b[i]) > CONSISTENCY_TOLERANCE) {
                    atEnd = null;
                }
            }
            if (atEnd == null) {
                throw new IllegalArgumentException("Butcher tableau " + name + ": the continuous extension must "
                        + "have one weight per stage (" + s + ") and equal the weights b at theta = 1");
            }
        }
        this.continuousExtension = continuousExtension;
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

    /** The method's dense output, or empty when it has none. */
    public Optional<ContinuousExtension> continuousExtension() {
        return Optional.ofNullable(continuousExtension);
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
