package org.dl4jnode.examples.experiments.poisson;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The physics-informed loss: its Laplacian is exact on quadratics, and its gradient is its score's derivative. */
class PoissonLossTest {

    private static final double SPACING = 0.05;

    /** Two stencils (around (0.3, 0.4) and (0.6, 0.2)) and two boundary rows of phi(x, y), labelled rho and g. */
    private static INDArray[] batch(java.util.function.DoubleBinaryOperator phi, double rho, double g) {
        double[][] centres = {{0.3, 0.4}, {0.6, 0.2}};
        int[][] offsets = PoissonLoss.stencilOffsets();
        INDArray out = Nd4j.create(DataType.DOUBLE, 12, 1);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 12, 1);
        for (int c = 0; c < 2; c++) {
            for (int k = 0; k < 5; k++) {
                out.putScalar(5 * c + k, 0, phi.applyAsDouble(centres[c][0] + offsets[k][0] * SPACING,
                        centres[c][1] + offsets[k][1] * SPACING));
            }
            labels.putScalar(5 * c, 0, rho);
        }
        out.putScalar(10, 0, phi.applyAsDouble(0, 0.5));
        out.putScalar(11, 0, phi.applyAsDouble(1, 0.25));
        labels.putScalar(10, 0, g);
        labels.putScalar(11, 0, g);
        return new INDArray[] {out, labels};
    }

    @Test
    void aQuadraticWithTheRightLaplacianAndBoundaryValueScoresZero() {
        PoissonLoss loss = new PoissonLoss(2, SPACING, 1, 1);
        // phi = x^2 + 3 y^2 - 1 has Delta phi = 8 everywhere
        INDArray[] b = batch((x, y) -> x * x + 3 * y * y - 1, 8, 0);
        double[] terms = loss.terms(b[1], b[0]);
        assertThat(terms[0]).isCloseTo(0, within(1e-18));
        // boundary: phi(0, 0.5) = -0.25, phi(1, 0.25) = 0.1875
        assertThat(terms[1]).isCloseTo((0.25 * 0.25 + 0.1875 * 0.1875) / 2, within(1e-15));
    }

    @Test
    void theGradientIsTheScoresDerivative() {
        PoissonLoss loss = new PoissonLoss(2, SPACING, 0.7, 1.3);
        INDArray[] b = batch((x, y) -> Math.sin(3 * x) * Math.cos(2 * y), 1.5, 0.2);
        ActivationIdentity identity = new ActivationIdentity();
        INDArray gradient = loss.computeGradient(b[1], b[0], identity, null);
        double eps = 1e-6;
        for (int row = 0; row < 12; row++) {
            INDArray plus = b[0].dup();
            plus.putScalar(row, 0, plus.getDouble(row, 0) + eps);
            INDArray minus = b[0].dup();
            minus.putScalar(row, 0, minus.getDouble(row, 0) - eps);
            double numeric = (loss.computeScore(b[1], plus, identity, null, true)
                    - loss.computeScore(b[1], minus, identity, null, true)) / (2 * eps);
            assertThat(gradient.getDouble(row, 0)).as("row %d", row).isCloseTo(numeric,
                    within(1e-6 * Math.max(1, Math.abs(numeric))));
        }
        assertThat(loss.computeScoreArray(b[1], b[0], identity, null).sumNumber().doubleValue())
                .as("the rows' shares add up to the score")
                .isCloseTo(loss.computeScore(b[1], b[0], identity, null, true), within(1e-12));
    }

    @Test
    void badSettingsAndShortMinibatchesAreRefused() {
        assertThatThrownBy(() -> new PoissonLoss(0, SPACING, 1, 1)).hasMessageContaining("collocation >= 1");
        assertThatThrownBy(() -> new PoissonLoss(1, -1, 1, 1)).hasMessageContaining("-1.0");
        PoissonLoss loss = new PoissonLoss(3, SPACING, 1, 1);
        INDArray[] b = batch((x, y) -> x, 0, 0);
        assertThatThrownBy(() -> loss.terms(b[1], b[0])).hasMessageContaining("15 stencil rows")
                .hasMessageContaining("12 rows");
    }
}
