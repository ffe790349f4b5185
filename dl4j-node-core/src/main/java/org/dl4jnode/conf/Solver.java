package org.dl4jnode.conf;

import org.dl4jnode.samediff.tableau.ButcherTableau;

/**
 * The Runge-Kutta methods an ODE layer can integrate with.
 *
 * <p>On a fixed grid ({@code steps(n)}) every method takes n steps of its solution weights.
 * {@link #BOSH3}, {@link #DOPRI5}, {@link #TSIT5} and {@link #DOPRI8} are embedded pairs, which also
 * carry an error estimate for adaptive step-size control ({@link #adaptive()}).
 */
public enum Solver {
    /** Forward Euler, order 1, 1 evaluation per step. */
    EULER(ButcherTableau.EULER),
    /** Explicit midpoint, order 2, 2 evaluations per step. */
    MIDPOINT(ButcherTableau.MIDPOINT),
    /** Classical Runge-Kutta, order 4, 4 evaluations per step. */
    RK4(ButcherTableau.RK4),
    /** Bogacki-Shampine 3(2), order 3, 4 stages (3 evaluations per step with FSAL reuse). */
    BOSH3(ButcherTableau.BOSH3),
    /** Dormand-Prince 5(4), order 5, 7 stages (6 evaluations per step with FSAL reuse). */
    DOPRI5(ButcherTableau.DOPRI5),
    /**
     * Tsitouras 5(4), order 5, 7 stages (6 evaluations per step with FSAL reuse); usually fewer steps
     * than {@link #DOPRI5} at the same tolerance.
     */
    TSIT5(ButcherTableau.TSIT5),
    /** Prince-Dormand 8(7), order 8, 13 stages (13 evaluations per step); for tight tolerances. */
    DOPRI8(ButcherTableau.DOPRI8);

    private final ButcherTableau tableau;

    Solver(ButcherTableau tableau) {
        this.tableau = tableau;
    }

    /** The method's coefficients. */
    public ButcherTableau tableau() {
        return tableau;
    }

    /** The embedded pairs, which {@code tolerances(rtol, atol)} can drive, for messages: e.g. "BOSH3, DOPRI5". */
    public static String adaptive() {
        return names(ButcherTableau::isAdaptive);
    }

    /** The methods with a dense output, which {@code interpolateOutputs(true)} can use: e.g. "DOPRI5, TSIT5". */
    public static String interpolating() {
        return names(t -> t.continuousExtension().isPresent());
    }

    private static String names(java.util.function.Predicate<ButcherTableau> which) {
        return java.util.Arrays.stream(values()).filter(s -> which.test(s.tableau)).map(Solver::name)
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** Order of accuracy of the solution. */
    public int order() {
        return tableau.order();
    }
}
