package org.dl4jnode.conf;

import org.dl4jnode.samediff.tableau.ButcherTableau;

/**
 * The Runge-Kutta methods an ODE layer can integrate with.
 *
 * <p>On a fixed grid ({@code steps(n)}) every method takes n steps of its solution weights.
 * {@link #BOSH3} and {@link #DOPRI5} are embedded pairs, which also carry an error estimate for
 * adaptive step-size control.
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
    DOPRI5(ButcherTableau.DOPRI5);

    private final ButcherTableau tableau;

    Solver(ButcherTableau tableau) {
        this.tableau = tableau;
    }

    /** The method's coefficients. */
    public ButcherTableau tableau() {
        return tableau;
    }

    /** Order of accuracy of the solution. */
    public int order() {
        return tableau.order();
    }
}
