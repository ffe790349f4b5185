package org.dl4jnode.samediff.solve;

import org.dl4jnode.samediff.tableau.ButcherTableau;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Adaptive stepping against closed-form solutions: the global error follows the tolerance from 1e-3
 * to 1e-8, and the work grows as the tolerance shrinks.
 */
@ExtendWith(DoublePrecision.class)
class AdaptiveGridTest {


    /** A problem: its right-hand side, its solution from (t0, h0) to t, and its span. */
    record Problem(String name, RightHandSide<INDArray> f, BiFunction<INDArray, Double, INDArray> exact, double t0,
                   double t1) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Problem> problems() {
        INDArray spiral = ExactSolutions.spiralMatrixTransposed();
        INDArray oscillator = Nd4j.createFromArray(new double[][] {{0, -4}, {1, 0}}); // x' = v, v' = -4 x
        return Stream.of(
                new Problem("exponential decay", (t, h) -> h.mul(-2.0), (h0, t) -> h0.mul(Math.exp(-2 * t)), 0, 2),
                new Problem("harmonic oscillator", (t, h) -> h.mmul(oscillator), (h0, t) -> {
                    INDArray x = h0.getColumn(0).mul(Math.cos(2 * t)).add(h0.getColumn(1).mul(Math.sin(2 * t) / 2));
                    INDArray v = h0.getColumn(0).mul(-2 * Math.sin(2 * t)).add(h0.getColumn(1).mul(Math.cos(2 * t)));
                    return Nd4j.hstack(x.reshape(-1, 1), v.reshape(-1, 1));
                }, 0, 5),
                new Problem("spiral, complex eigenvalues", (t, h) -> h.mmul(spiral), ExactSolutions::spiral, 0, 4),
                new Problem("dh/dt = cos(t) h", (t, h) -> h.mul(Math.cos(t)),
                        (h0, t) -> ExactSolutions.cosineGrowth(h0, 0, t), 0, 6));
    }

    static Stream<Arguments> pairsAndProblems() {
        return Stream.of(ButcherTableau.DOPRI5, ButcherTableau.BOSH3, ButcherTableau.TSIT5)
                .flatMap(tableau -> problems().map(p -> Arguments.of(tableau, p)));
    }

    /** The global error in the tolerance's own mixed norm: 1 means "off by the tolerance". */
    private static double scaledError(INDArray actual, INDArray expected, Tolerances tolerances) {
        return ErrorNorm.rms(tolerances).norm(actual.sub(expected), expected, expected);
    }

    private static double relativeError(INDArray actual, INDArray expected) {
        return actual.sub(expected).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("pairsAndProblems")
    void globalErrorFollowsTheToleranceAndWorkGrowsAsItShrinks(ButcherTableau tableau, Problem p) {
        INDArray y0 = ExactSolutions.initialStates();
        INDArray expected = p.exact().apply(y0, p.t1());
        long previousWork = 0;
        StringBuilder table = new StringBuilder();
        for (double tol = 1e-3; tol >= 0.99e-8; tol /= 10) {
            long[] evaluations = {0};
            RightHandSide<INDArray> counted = (t, h) -> {
                evaluations[0]++;
                return p.f().evaluate(t, h);
            };
            Tolerances tolerances = new Tolerances(tol, tol);
            AdaptiveGrid grid = new AdaptiveGrid(p.t0(), p.t1(), tolerances, StepSizeController.DEFAULT, 100_000, 0);
            INDArray y1 = grid.integrate(new RungeKutta<>(tableau, ArrayAlgebra.INSTANCE), counted, y0,
                    ErrorNorm.rms(tolerances), null);
            double error = scaledError(y1, expected, tolerances);
            table.append(String.format("tol %.0e  global error / tol %.2f  NFE %d%n", tol, error, evaluations[0]));
            // local control gives a global error of the order of tol; 20x covers the accumulation over the span (largest seen: 11)
            assertThat(error).as("%s %s at tol %s%n%s", tableau, p, tol, table).isLessThan(20);
            assertThat(evaluations[0]).as("NFE at tol %s%n%s", tol, table).isGreaterThan(previousWork);
            previousWork = evaluations[0];
        }
        System.out.printf("%s, %s:%n%s", tableau, p, table);
    }

    @Test
    void integratesBackwardsInTime() {
        INDArray y0 = ExactSolutions.initialStates();
        INDArray atFour = ExactSolutions.spiral(y0, 4);
        INDArray spiral = ExactSolutions.spiralMatrixTransposed();
        Tolerances tol = new Tolerances(1e-8, 1e-8);
        INDArray back = new AdaptiveGrid(4, 0, tol, StepSizeController.DEFAULT, 10_000, 0)
                .integrate(new RungeKutta<>(ButcherTableau.DOPRI5, ArrayAlgebra.INSTANCE), (t, h) -> h.mmul(spiral),
                        atFour, ErrorNorm.rms(tol), null);
        assertThat(relativeError(back, y0)).isLessThan(1e-6);
    }

    @Test
    void acceptedStepsTileTheSpanAndEndExactlyAtT1() {
        List<Step<INDArray>> steps = new ArrayList<>();
        Tolerances tol = new Tolerances(1e-6, 1e-6);
        new AdaptiveGrid(0.25, 3.0, tol, StepSizeController.DEFAULT, 10_000, 0)
                .integrate(new RungeKutta<>(ButcherTableau.DOPRI5, ArrayAlgebra.INSTANCE), (t, h) -> h.mul(Math.cos(t)),
                        ExactSolutions.initialStates(), ErrorNorm.rms(tol), steps::add);
        assertThat(steps.size()).isGreaterThan(3);
        assertThat(steps.get(0).t()).isEqualTo(0.25);
        for (int i = 1; i < steps.size(); i++) {
            assertThat(steps.get(i).t()).isEqualTo(steps.get(i - 1).tNext());
            assertThat(steps.get(i).y()).isSameAs(steps.get(i - 1).next());
        }
        assertThat(steps.get(steps.size() - 1).tNext()).isEqualTo(3.0);
    }

    @Test
    void firstSameAsLastSavesAnEvaluationPerAcceptedStep() {
        List<Step<INDArray>> steps = new ArrayList<>();
        long[] evaluations = {0};
        Tolerances tol = new Tolerances(1e-6, 1e-6);
        new AdaptiveGrid(0, 2, tol, StepSizeController.DEFAULT, 10_000, 0)
                .integrate(new RungeKutta<>(ButcherTableau.DOPRI5, ArrayAlgebra.INSTANCE), (t, h) -> {
                    evaluations[0]++;
                    return h.mul(-2.0);
                }, ExactSolutions.initialStates(), ErrorNorm.rms(tol), steps::add);
        // 2 for the first step size (the first reused), then 6 per attempted step
        assertThat((evaluations[0] - 2) % 6).isZero();
        assertThat((evaluations[0] - 2) / 6).isGreaterThanOrEqualTo(steps.size());
    }

    private static AdaptiveGrid grid(int maxSteps, double minStep) {
        return new AdaptiveGrid(0, 1, new Tolerances(1e-6, 1e-6), StepSizeController.DEFAULT, maxSteps, minStep);
    }

    private static RungeKutta<INDArray> dopri5() {
        return new RungeKutta<>(ButcherTableau.DOPRI5, ArrayAlgebra.INSTANCE);
    }

    @Test
    void anExhaustedStepBudgetIsAnErrorWithContext() {
        assertThatThrownBy(() -> grid(3, 0).integrate(dopri5(), (t, h) -> h.mul(Math.cos(20 * t) * 10),
                ExactSolutions.initialStates(), ErrorNorm.rms(new Tolerances(1e-6, 1e-6)), null))
                .isInstanceOf(IntegrationException.class)
                .hasMessageContaining("maxSteps = 3").hasMessageContaining("at t = ")
                .hasMessageContaining("3 steps accepted");
    }

    @Test
    void aStepBelowMinStepIsAnErrorWithContext() {
        assertThatThrownBy(() -> grid(100_000, 0.1).integrate(dopri5(), (t, h) -> h.mul(Math.cos(20 * t) * 10),
                ExactSolutions.initialStates(), ErrorNorm.rms(new Tolerances(1e-6, 1e-6)), null))
                .isInstanceOf(IntegrationException.class)
                .hasMessageContaining("minStep = 0.1").hasMessageContaining("step size");
    }

    @Test
    void aBlowUpIsAnErrorNotAHang() {
        // h' = h^2 from h = 1 blows up at t = 1
        assertThatThrownBy(() -> new AdaptiveGrid(0, 2, new Tolerances(1e-6, 1e-6), StepSizeController.DEFAULT,
                100_000, 0).integrate(dopri5(), (t, h) -> h.mul(h), Nd4j.ones(DataType.DOUBLE, 1, 1),
                ErrorNorm.rms(new Tolerances(1e-6, 1e-6)), null))
                .isInstanceOf(IntegrationException.class)
                .hasMessageContaining("underflowed")
                .satisfies(e -> assertThat(((IntegrationException) e).time()).isCloseTo(1.0, within(1e-3)));
    }

    @Test
    void aNaNStateIsAnErrorNotAHang() {
        // (INDArray.mul(NaN) would multiply by 1e-5: ND4J replaces NaN scalars)
        assertThatThrownBy(() -> grid(100_000, 0).integrate(dopri5(),
                (t, h) -> t > 0.5 ? Nd4j.valueArrayOf(h.shape(), Double.NaN) : h,
                ExactSolutions.initialStates(), ErrorNorm.rms(new Tolerances(1e-6, 1e-6)), null))
                .isInstanceOf(IntegrationException.class)
                .hasMessageContaining("NaN or infinite");
    }

    @Test
    void rejectsFixedStepMethodsAndBadSettings() {
        assertThatThrownBy(() -> grid(10, 0).integrate(new RungeKutta<>(ButcherTableau.RK4, ArrayAlgebra.INSTANCE),
                (t, h) -> h, ExactSolutions.initialStates(), ErrorNorm.rms(new Tolerances(1e-6, 1e-6)), null))
                .hasMessageContaining("embedded pair");
        assertThatThrownBy(() -> new Tolerances(0, 1e-6)).hasMessageContaining("rtol = 0.0");
        assertThatThrownBy(() -> new Tolerances(1e-6, -1)).hasMessageContaining("atol = -1.0");
        assertThatThrownBy(() -> grid(0, 0)).hasMessageContaining("maxSteps must be >= 1, got 0");
        assertThatThrownBy(() -> grid(10, -1)).hasMessageContaining("minStep");
    }
}
