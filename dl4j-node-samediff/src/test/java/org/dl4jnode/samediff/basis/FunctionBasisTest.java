package org.dl4jnode.samediff.basis;

import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Every basis, evaluated as graph ops, against its textbook definition computed here in Java. */
@ExtendWith(DoublePrecision.class)
class FunctionBasisTest {

    private static final double T0 = 0.5;
    private static final double T1 = 2.5;
    private static final double[] TIMES = {0.5, 0.61, 1.0, 1.37, 1.5, 2.0, 2.49, 2.5};


    /** psi(t) from the basis' graph ops. */
    static double[] evaluate(FunctionBasis basis, double t, double t0, double t1) {
        SameDiff sd = SameDiff.create();
        SDVariable time = sd.placeHolder("t", DataType.DOUBLE);
        SDVariable psi = basis.evaluate(sd, time, t0, t1);
        INDArray out = sd.output(Map.of("t", Nd4j.scalar(t)), psi.name()).get(psi.name());
        assertThat(out.shape()).containsExactly(1, basis.size());
        return out.toDoubleVector();
    }

    private static double x(double t) {
        return 2 * (t - T0) / (T1 - T0) - 1;
    }

    private static void assertMatches(FunctionBasis basis, BiFunction<Integer, Double, Double> expected) {
        for (double t : TIMES) {
            double[] psi = evaluate(basis, t, T0, T1);
            for (int j = 0; j < psi.length; j++) {
                assertThat(psi[j]).as("%s psi_%d(%s)", basis, j, t).isCloseTo(expected.apply(j, t), within(1e-12));
            }
        }
    }

    @Test
    void fourierIsTheConstantThenCosinesThenSines() {
        int n = 3;
        double w = 2 * Math.PI / (T1 - T0);
        assertThat(FourierBasis.of(n).size()).isEqualTo(7);
        assertMatches(FourierBasis.of(n), (j, t) -> j == 0 ? 1.0
                : j <= n ? Math.cos(j * w * (t - T0)) : Math.sin((j - n) * w * (t - T0)));
    }

    @Test
    void fourierPeriodIsSettable() {
        double w = 2 * Math.PI / 7.0;
        assertMatches(FourierBasis.of(2).period(7.0), (j, t) -> j == 0 ? 1.0
                : j <= 2 ? Math.cos(j * w * (t - T0)) : Math.sin((j - 2) * w * (t - T0)));
    }

    @Test
    void chebyshevIsCosOfMultipleArccos() {
        assertThat(new ChebyshevBasis(5).size()).isEqualTo(6);
        assertMatches(new ChebyshevBasis(5), (j, t) -> Math.cos(j * Math.acos(x(t))));
    }

    @Test
    void legendreMatchesBonnetsRecurrence() {
        assertMatches(new LegendreBasis(6), (j, t) -> {
            double x = x(t);
            double previous = 1;
            double current = x;
            if (j == 0) {
                return previous;
            }
            for (int k = 1; k < j; k++) {
                double next = ((2 * k + 1) * x * current - k * previous) / (k + 1);
                previous = current;
                current = next;
            }
            return current;
        });
    }

    @Test
    void legendreIsOrthogonalOnTheSpan() {
        LegendreBasis basis = new LegendreBasis(4);
        int points = 2001;
        double[][] values = new double[points][];
        for (int i = 0; i < points; i++) {
            values[i] = evaluate(basis, T0 + (T1 - T0) * i / (points - 1), T0, T1);
        }
        for (int a = 0; a < 5; a++) {
            for (int b = 0; b < 5; b++) {
                double integral = 0; // trapezoid rule on x in [-1, 1]
                for (int i = 0; i < points; i++) {
                    double weight = (i == 0 || i == points - 1) ? 0.5 : 1.0;
                    integral += weight * values[i][a] * values[i][b] * 2.0 / (points - 1);
                }
                double expected = a == b ? 2.0 / (2 * a + 1) : 0.0;
                assertThat(integral).as("<P%d, P%d>", a, b).isCloseTo(expected, within(1e-5));
            }
        }
    }

    @Test
    void polynomialIsThePowersOfTheMappedTime() {
        assertMatches(new MonomialBasis(4), (j, t) -> Math.pow(x(t), j));
    }

    @Test
    void piecewiseConstantIndicatesTheInterval() {
        // 4 intervals of length 0.5 on [0.5, 2.5): boundaries at 1.0, 1.5, 2.0; t1 belongs to the last
        assertMatches(new PiecewiseConstantBasis(4), (j, t) -> {
            int interval = Math.min((int) Math.floor((t - T0) / 0.5), 3);
            return j == interval ? 1.0 : 0.0;
        });
        assertThat(evaluate(new PiecewiseConstantBasis(4), T0 - 1, T0, T1)).containsExactly(1, 0, 0, 0);
        assertThat(evaluate(new PiecewiseConstantBasis(4), T1 + 1, T0, T1)).containsExactly(0, 0, 0, 1);
    }

    static Stream<FunctionBasis> bases() {
        return Stream.of(FourierBasis.of(0), FourierBasis.of(4), FourierBasis.of(2).period(3.0),
                new ChebyshevBasis(0), new ChebyshevBasis(5), new LegendreBasis(4), new MonomialBasis(3),
                new PiecewiseConstantBasis(1), new PiecewiseConstantBasis(5));
    }

    @ParameterizedTest
    @MethodSource("bases")
    void constantCoefficientsGiveOneEverywhere(FunctionBasis basis) {
        double[] c = basis.constant();
        assertThat(c).hasSize(basis.size());
        for (double t : TIMES) {
            double[] psi = evaluate(basis, t, T0, T1);
            double sum = 0;
            for (int j = 0; j < psi.length; j++) {
                sum += c[j] * psi[j];
            }
            assertThat(sum).as("%s at t = %s", basis, t).isCloseTo(1.0, within(1e-12));
        }
    }

    @ParameterizedTest
    @MethodSource("bases")
    void jsonRoundTripIsExact(FunctionBasis basis) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        String json = mapper.writeValueAsString(basis);
        FunctionBasis back = mapper.readValue(json, FunctionBasis.class);
        assertThat(back).isEqualTo(basis).hasSameHashCodeAs(basis);
        assertThat(back.toString()).isEqualTo(basis.toString());
    }

    @Test
    void badArgumentsAreRejectedWithTheBasisAndValue() {
        assertThatThrownBy(() -> FourierBasis.of(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Fourier").hasMessageContaining("-1");
        assertThatThrownBy(() -> FourierBasis.of(2).period(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("period").hasMessageContaining("0.0");
        assertThatThrownBy(() -> FourierBasis.of(2).period(-3)).hasMessageContaining("-3.0");
        assertThatThrownBy(() -> new ChebyshevBasis(-2)).hasMessageContaining("Chebyshev").hasMessageContaining("-2");
        assertThatThrownBy(() -> new LegendreBasis(-1)).hasMessageContaining("Legendre");
        assertThatThrownBy(() -> new MonomialBasis(-1)).hasMessageContaining("Polynomial");
        assertThatThrownBy(() -> new PiecewiseConstantBasis(0)).hasMessageContaining("intervals")
                .hasMessageContaining("0");
    }
}
