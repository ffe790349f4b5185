package org.dl4jnode.samediff.tableau;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ButcherTableauTest {

    static Stream<ButcherTableau> builtIn() {
        return Stream.of(ButcherTableau.EULER, ButcherTableau.MIDPOINT, ButcherTableau.RK4, ButcherTableau.BOSH3,
                ButcherTableau.DOPRI5, ButcherTableau.TSIT5, ButcherTableau.DOPRI8);
    }

    /** The Runge-Kutta order conditions up to order 4 (enough to tell every built-in method apart). */
    private static void assertOrderConditions(ButcherTableau tab, double[] b, int order) {
        int s = tab.stages();
        double[] c = new double[s];
        double[] ac = new double[s];
        double[] ac2 = new double[s];
        double[] aac = new double[s];
        for (int i = 0; i < s; i++) {
            c[i] = tab.c(i);
        }
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < i; j++) {
                ac[i] += tab.a(i, j) * c[j];
                ac2[i] += tab.a(i, j) * c[j] * c[j];
            }
        }
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < i; j++) {
                aac[i] += tab.a(i, j) * ac[j];
            }
        }
        double[][] conditions = {
            {1, sum(b, i -> 1)},
            {2, sum(b, i -> c[i]), 1.0 / 2},
            {3, sum(b, i -> c[i] * c[i]), 1.0 / 3, sum(b, i -> ac[i]), 1.0 / 6},
            {4, sum(b, i -> c[i] * c[i] * c[i]), 1.0 / 4, sum(b, i -> c[i] * ac[i]), 1.0 / 8,
                sum(b, i -> ac2[i]), 1.0 / 12, sum(b, i -> aac[i]), 1.0 / 24},
        };
        assertThat(conditions[0][1]).as(tab + " weights sum").isCloseTo(1.0, within(1e-12));
        for (int k = 1; k < Math.min(order, 4); k++) {
            double[] row = conditions[k];
            for (int m = 1; m < row.length; m += 2) {
                assertThat(row[m]).as(tab + " order-" + (int) row[0] + " condition " + (m / 2))
                        .isCloseTo(row[m + 1], within(1e-12));
            }
        }
    }

    private static double sum(double[] b, java.util.function.IntToDoubleFunction term) {
        double s = 0;
        for (int i = 0; i < b.length; i++) {
            s += b[i] * term.applyAsDouble(i);
        }
        return s;
    }

    @ParameterizedTest
    @MethodSource("builtIn")
    void solutionWeightsSatisfyTheOrderConditionsOfTheStatedOrder(ButcherTableau tab) {
        assertOrderConditions(tab, tab.weights(), tab.order());
    }

    @ParameterizedTest
    @MethodSource("builtIn")
    void embeddedWeightsSatisfyTheOrderConditionsOfTheEmbeddedOrder(ButcherTableau tab) {
        tab.errorWeights().ifPresent(err -> {
            double[] bHat = tab.weights();
            for (int i = 0; i < bHat.length; i++) {
                bHat[i] -= err[i];
            }
            assertOrderConditions(tab, bHat, tab.embeddedOrder().orElseThrow());
        });
    }

    @Test
    void embeddedPairsAreAdaptiveAndFirstSameAsLast() {
        assertThat(ButcherTableau.DOPRI5.isAdaptive()).isTrue();
        assertThat(ButcherTableau.DOPRI5.isFsal()).isTrue();
        assertThat(ButcherTableau.BOSH3.isAdaptive()).isTrue();
        assertThat(ButcherTableau.BOSH3.isFsal()).isTrue();
        assertThat(ButcherTableau.TSIT5.isAdaptive()).isTrue();
        assertThat(ButcherTableau.TSIT5.isFsal()).isTrue();
        assertThat(ButcherTableau.DOPRI8.isAdaptive()).isTrue();
        assertThat(ButcherTableau.DOPRI8.isFsal()).isFalse();
        assertThat(ButcherTableau.RK4.isAdaptive()).isFalse();
        assertThat(ButcherTableau.RK4.isFsal()).isFalse();
        assertThat(ButcherTableau.EULER.embeddedOrder()).isEmpty();
    }

    @Test
    void rejectsAStageMatrixWhoseRowsDoNotSumToC() {
        assertThatThrownBy(() -> new ButcherTableau("bad", 2, 0, new double[] {0, 0.5},
                new double[][] {{}, {0.4}}, new double[] {0, 1}, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad").hasMessageContaining("row 1");
    }

    @Test
    void rejectsAnImplicitRow() {
        assertThatThrownBy(() -> new ButcherTableau("implicit", 1, 0, new double[] {1},
                new double[][] {{1}}, new double[] {1}, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("explicit");
    }

    @Test
    void rejectsWeightsThatDoNotSumToOne() {
        assertThatThrownBy(() -> new ButcherTableau("weights", 1, 0, new double[] {0},
                new double[][] {{}}, new double[] {0.9}, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sum to 1");
    }
}
