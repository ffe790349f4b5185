package org.dl4jnode.samediff.solve;

import org.dl4jnode.samediff.tableau.ButcherTableau;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The engine, on problems with known solutions: the global error shrinks by 2^p when the number of
 * steps doubles, p the order of the method.
 */
@ExtendWith(DoublePrecision.class)
class RungeKuttaConvergenceTest {


    static Stream<ButcherTableau> tableaus() {
        return Stream.of(ButcherTableau.EULER, ButcherTableau.MIDPOINT, ButcherTableau.RK4, ButcherTableau.BOSH3,
                ButcherTableau.DOPRI5, ButcherTableau.TSIT5, ButcherTableau.DOPRI8);
    }

    /** Observed order log2(e(n) / e(2n)) at the finest pair of a step-doubling sequence. */
    static double observedOrder(ButcherTableau tab, RightHandSide<INDArray> f, INDArray y0, double t0, double t1,
                                INDArray exact, int coarseSteps) {
        RungeKutta<INDArray> method = new RungeKutta<>(tab, ArrayAlgebra.INSTANCE);
        double coarse = new FixedGrid(t0, t1, coarseSteps).integrate(method, f, y0, null).distance2(exact);
        double fine = new FixedGrid(t0, t1, 2 * coarseSteps).integrate(method, f, y0, null).distance2(exact);
        return Math.log(coarse / fine) / Math.log(2);
    }

    /** Coarse step counts at which each order's error is well above round-off yet asymptotic. */
    static int coarseSteps(ButcherTableau tab) {
        if (tab.order() >= 7) {
            // Dopri8 reaches round-off past 8 steps
            return 4;
        }
        // Tsit5's principal error term is small: it shows order 5 from about 32 steps (5.6 at 8)
        return tab.order() == 5 || tab.order() < 4 ? 32 : 8;
    }

    /**
     * On a linear autonomous problem a method's error is that of its stability polynomial
     * R(z) = 1 + sum_k b^T A^(k-1) 1 z^k against exp(z): the relative misfit of the coefficient of z^k,
     * {@code k! b^T A^(k-1) 1 - 1}.
     */
    static double stabilityMisfit(ButcherTableau tab, int k) {
        int s = tab.stages();
        double[] v = new double[s];
        java.util.Arrays.fill(v, 1.0);
        for (int power = 1; power < k; power++) {
            double[] next = new double[s];
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < i; j++) {
                    next[i] += tab.a(i, j) * v[j];
                }
            }
            v = next;
        }
        double coefficient = 0;
        double factorial = 1;
        for (int i = 0; i < s; i++) {
            coefficient += tab.b(i) * v[i];
        }
        for (int i = 2; i <= k; i++) {
            factorial *= i;
        }
        return coefficient * factorial - 1;
    }

    @ParameterizedTest
    @MethodSource("tableaus")
    void linearSpiralConvergesAtTheMethodsOrder(ButcherTableau tab) {
        INDArray at = ExactSolutions.spiralMatrixTransposed();
        INDArray y0 = ExactSolutions.initialStates();
        double order = observedOrder(tab, (t, y) -> y.mmul(at), y0, 0, 2, ExactSolutions.spiral(y0, 2),
                coarseSteps(tab));
        int p = tab.order();
        for (int k = 1; k <= p; k++) {
            assertThat(stabilityMisfit(tab, k)).as("%s: z^%d of R(z)", tab, k).isCloseTo(0.0, within(1e-9));
        }
        // Dopri8's z^9 is only 0.13% off exp's: its order 8 shows on a linear problem only below round-off
        double upper = Math.abs(stabilityMisfit(tab, p + 1)) < 0.01 ? p + 1.3 : p + 0.3;
        assertThat(order).as("observed order of %s on the spiral", tab).isBetween(p - 0.2, upper);
    }

    @ParameterizedTest
    @MethodSource("tableaus")
    void timeDependentRhsConvergesAtTheMethodsOrder(ButcherTableau tab) {
        INDArray y0 = ExactSolutions.initialStates();
        double order = observedOrder(tab, (t, y) -> y.mul(Math.cos(t)), y0, 0.0, 1.5,
                ExactSolutions.cosineGrowth(y0, 0.0, 1.5), coarseSteps(tab));
        assertThat(order).as("observed order of %s on dh/dt = cos(t) h", tab)
                .isBetween(tab.order() - 0.2, tab.order() + 0.3);
    }

    @ParameterizedTest
    @MethodSource("tableaus")
    void embeddedErrorEstimateIsTheDifferenceOfTheTwoSolutions(ButcherTableau tab) {
        INDArray at = ExactSolutions.spiralMatrixTransposed();
        INDArray y0 = ExactSolutions.initialStates();
        Step<INDArray> step = new RungeKutta<>(tab, ArrayAlgebra.INSTANCE).step((t, y) -> y.mmul(at), 0, y0, 0.1, null);
        assertThat(step.stageStates()).hasSize(tab.stages());
        assertThat(step.stageStates().get(0)).isSameAs(y0);
        if (tab.isAdaptive()) {
            // the local error of a pair is O(dt^(q+1)); at dt = 0.1 it is small but not zero
            assertThat(step.error().norm2Number().doubleValue()).isBetween(1e-16, 1e-2);
        } else {
            assertThat(step.error()).isNull();
        }
    }
}
