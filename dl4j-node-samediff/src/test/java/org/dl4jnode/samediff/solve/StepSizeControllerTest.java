package org.dl4jnode.samediff.solve;

import org.dl4jnode.samediff.tableau.ButcherTableau;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The step-size controllers: the integral controller's and the PID controller's factors by their
 * formulas, and on a stiff-ish problem at a loose tolerance the PID controller's damping (almost no
 * rejected steps, less work); the grids' step statistics.
 */
@ExtendWith(DoublePrecision.class)
class StepSizeControllerTest {

    /** dy/dt = -L (y - cos t), y(0) = 1: a fast decay onto a slow solution, stiff for an explicit pair. */
    private static final double L = 200;

    private static double exact(double t) {
        double particular = (L * L * Math.cos(t) + L * Math.sin(t)) / (L * L + 1);
        double y0Particular = L * L / (L * L + 1);
        return particular + (1 - y0Particular) * Math.exp(-L * t);
    }

    private record Run(double error, long nfe, SolveStatistics statistics) {
    }

    /**
     * At a loose tolerance the steps are bounded by the pair's stability, not by its accuracy: where the
     * integral controller oscillates about the bound.
     */
    private static Run stiffRun(StepSizeController controller, ButcherTableau tableau) {
        double t1 = 10;
        Tolerances tol = new Tolerances(1e-3, 1e-3);
        SolveStatistics statistics = new SolveStatistics();
        long[] nfe = {0};
        INDArray y = new AdaptiveGrid(0, t1, tol, controller, 100_000, 0).integrate(
                new RungeKutta<>(tableau, ArrayAlgebra.INSTANCE), (t, h) -> {
                    nfe[0]++;
                    return h.sub(Math.cos(t)).muli(-L);
                }, Nd4j.ones(1, 1), ErrorNorm.rms(tol), null, statistics);
        return new Run(Math.abs(y.getDouble(0) - exact(t1)), nfe[0], statistics);
    }

    @Test
    void theIntegralControllerScalesByTheErrorToTheMinusOneOverQPlusOne() {
        StepSizeController c = StepSizeController.integral();
        assertThat(c.isIntegral()).isTrue();
        assertThat(c.factor(0.5, 4, false)).isCloseTo(0.9 * Math.pow(0.5, -1.0 / 5), within(1e-15));
        assertThat(c.factor(1e-12, 4, false)).isEqualTo(10.0);
        assertThat(c.factor(1e-12, 4, true)).as("no growth after a rejection").isEqualTo(1.0);
        assertThat(c.factor(1e6, 4, true)).isEqualTo(0.2);
        assertThat(StepSizeController.pid(0, 1, 0)).isEqualTo(c);
    }

    @Test
    void thePidControllerReadsTheLastTwoAcceptedErrors() {
        StepSizeController pid = StepSizeController.pid(0.4, 0.3, 0.1);
        StepSizeController.History history = pid.history();
        // no history yet: the previous errors count as 1
        assertThat(pid.factor(0.5, 4, false, history)).isCloseTo(0.9 * Math.pow(0.5, -0.8 / 5), within(1e-15));
        history.accept(0.8);
        history.accept(0.3);
        double expected = 0.9 * Math.pow(0.5, -0.8 / 5) * Math.pow(0.3, 0.6 / 5) * Math.pow(0.8, -0.1 / 5);
        assertThat(pid.factor(0.5, 4, false, history)).isCloseTo(expected, within(1e-15));
        assertThat(pid.isIntegral()).isFalse();
    }

    @Test
    void controllersWithoutAnIntegralTermOrWithBadLimitsAreRefused() {
        assertThatThrownBy(() -> StepSizeController.pid(0.4, 0, 0)).hasMessageContaining("icoeff > 0");
        assertThatThrownBy(() -> StepSizeController.pid(Double.NaN, 1, 0)).hasMessageContaining("pcoeff = NaN");
        assertThatThrownBy(() -> StepSizeController.integral().withLimits(0.9, 0.2, 1.0))
                .hasMessageContaining("maxFactor");
    }

    @Test
    void whereStabilityBoundsTheStepsThePidControllerRejectsAlmostNoneAndSavesWork() {
        for (ButcherTableau tableau : new ButcherTableau[] {ButcherTableau.DOPRI5, ButcherTableau.TSIT5}) {
            Run integral = stiffRun(StepSizeController.integral(), tableau);
            Run pid = stiffRun(StepSizeController.pid(0.4, 0.3, 0), tableau);
            System.out.printf("%s on dy/dt = -%.0f (y - cos t), tol 1e-3: integral NFE %d (%s), error %.1e; "
                            + "PID(0.4, 0.3, 0) NFE %d (%s), error %.1e%n", tableau, L, integral.nfe(),
                    integral.statistics(), integral.error(), pid.nfe(), pid.statistics(), pid.error());
            assertThat(integral.error()).isLessThan(1e-2);
            assertThat(pid.error()).isLessThan(1e-2);
            assertThat(integral.statistics().rejectedSteps()).as("%s: the integral controller oscillates", tableau)
                    .isGreaterThan(30);
            assertThat(pid.statistics().rejectedSteps()).as(tableau.name())
                    .isLessThan(integral.statistics().rejectedSteps() / 10);
            assertThat(pid.nfe()).as(tableau.name()).isLessThan(integral.nfe());
        }
    }

    @Test
    void gridsCountTheirSteps() {
        SolveStatistics fixed = new SolveStatistics();
        new FixedGrid(0, 2, 8).integrate(new RungeKutta<>(ButcherTableau.RK4, ArrayAlgebra.INSTANCE),
                (t, h) -> h.neg(), Nd4j.ones(1, 2), null, null, fixed);
        assertThat(fixed.acceptedSteps()).isEqualTo(8);
        assertThat(fixed.rejectedSteps()).isZero();
        assertThat(fixed.smallestStep()).isCloseTo(0.25, within(1e-15));
        assertThat(fixed.largestStep()).isCloseTo(0.25, within(1e-15));
        assertThat(new SolveStatistics().smallestStep()).isNaN();
        Run adaptive = stiffRun(StepSizeController.integral(), ButcherTableau.DOPRI5);
        SolveStatistics s = adaptive.statistics();
        assertThat(s.acceptedSteps()).isGreaterThan(100);
        // the fast transient needs steps well below the stability limit's ~3.3 / L; the decayed solution does not
        assertThat(s.smallestStep()).isLessThan(3.3 / L);
        assertThat(s.largestStep()).isLessThan(3.3 / L * 1.6).isGreaterThan(s.smallestStep());
    }
}
