package org.dl4jnode.samediff.tableau;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.function.DoubleBinaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The dense outputs of DOPRI5 and TSIT5: zero at a step's start, the solution weights at its end, and
 * fourth order in between (halving the step divides the error inside it by about 2^5), on a scalar
 * problem with a closed form, in plain double arithmetic.
 */
class ContinuousExtensionTest {

    private static final ButcherTableau[] DENSE = {ButcherTableau.DOPRI5, ButcherTableau.TSIT5};

    @Test
    void theWeightsRunFromZeroToTheSolutionWeights() {
        for (ButcherTableau tableau : DENSE) {
            ContinuousExtension dense = tableau.continuousExtension().orElseThrow();
            assertThat(dense.order()).isEqualTo(4);
            assertThat(dense.weights(0)).as(tableau + " at theta = 0").containsOnly(0.0);
            double[] atEnd = dense.weights(1);
            for (int i = 0; i < tableau.stages(); i++) {
                assertThat(atEnd[i]).as(tableau + " b_" + i + "(1)").isCloseTo(tableau.b(i), within(1e-14));
            }
        }
        assertThat(ButcherTableau.RK4.continuousExtension()).isEmpty();
        assertThat(ButcherTableau.DOPRI8.continuousExtension()).isEmpty();
    }

    /** y' = y cos t, y(t) = exp(sin t). */
    private static final DoubleBinaryOperator FIELD = (t, y) -> y * Math.cos(t);

    private static double exact(double t) {
        return Math.exp(Math.sin(t));
    }

    /** The interpolated solution at t + theta h after one step of size h from the exact y(t). */
    private static double interpolated(ButcherTableau tableau, double t, double h, double theta) {
        int s = tableau.stages();
        double y = exact(t);
        double[] k = new double[s];
        for (int i = 0; i < s; i++) {
            double stage = y;
            for (int j = 0; j < i; j++) {
                stage += h * tableau.a(i, j) * k[j];
            }
            k[i] = FIELD.applyAsDouble(t + tableau.c(i) * h, stage);
        }
        double[] w = tableau.continuousExtension().orElseThrow().weights(theta);
        double out = y;
        for (int i = 0; i < s; i++) {
            out += h * w[i] * k[i];
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.2, 0.5, 0.77})
    void insideAStepTheInterpolantIsFourthOrder(double theta) {
        for (ButcherTableau tableau : DENSE) {
            double t = 0.3;
            double coarse = Math.abs(interpolated(tableau, t, 0.1, theta) - exact(t + 0.1 * theta));
            double fine = Math.abs(interpolated(tableau, t, 0.05, theta) - exact(t + 0.05 * theta));
            double observed = Math.log(coarse / fine) / Math.log(2);
            // a local error of O(h^5): order 4
            assertThat(observed).as(tableau + " at theta = " + theta + " (errors " + coarse + ", " + fine + ")")
                    .isBetween(4.5, 5.7);
            assertThat(fine).as(tableau + " error inside a step of 0.05").isLessThan(1e-8);
        }
    }

    @Test
    void aTableauRefusesAnExtensionThatDoesNotEndAtItsWeights() {
        ContinuousExtension linear = new ContinuousExtension(1, new double[][] {{1}});
        ButcherTableau euler = new ButcherTableau("Euler", 1, 0, new double[] {0}, new double[][] {{}},
                new double[] {1}, null, linear);
        assertThat(euler.continuousExtension()).contains(linear);
        assertThatThrownBy(() -> new ButcherTableau("Euler", 1, 0, new double[] {0}, new double[][] {{}},
                new double[] {1}, null, new ContinuousExtension(1, new double[][] {{0.5}})))
                .hasMessageContaining("Euler: the continuous extension must have one weight per stage (1) and equal "
                        + "the weights b at theta = 1");
        assertThatThrownBy(() -> new ContinuousExtension(1, new double[][] {{1}, {Double.NaN}}))
                .hasMessageContaining("finite");
    }
}
