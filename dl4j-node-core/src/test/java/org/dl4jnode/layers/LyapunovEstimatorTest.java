package org.dl4jnode.layers;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The largest Lyapunov exponent on dh/dt = A h, A set through the layer's parameters (an affine
 * field h W0 + b0 with W0 = A^T, b0 = 0), where it is known: the largest real part of A's
 * eigenvalues.
 */
@ExtendWith(DoublePrecision.class)
class LyapunovEstimatorTest {

    private static final double SPAN = 10;

    private static OdeLayer linear(double[][] a) {
        MultiLayerNetwork net = OdeLayerNumericsTest.linear(new org.dl4jnode.conf.OdeLayer.Builder()
                .field(VectorField.mlp().timeDependent(false)).solver(Solver.RK4).steps(400).timeSpan(0, SPAN)
                .build());
        net.getLayer(0).setParam("W0", Nd4j.createFromArray(a).transpose());
        return (OdeLayer) net.getLayer(0);
    }

    private static INDArray inputs() {
        Nd4j.getRandom().setSeed(5);
        return Nd4j.randn(DataType.DOUBLE, 64, 2);
    }

    /** [[a, -1], [1, a]]: eigenvalues a +- i, and every direction grows at exactly e^{a t}. */
    private static double[][] spiral(double a) {
        return new double[][] {{a, -1}, {1, a}};
    }

    @Test
    void aSpiralGivesItsRateForEveryExampleBothSigns() {
        for (double a : new double[] {0.2, -0.3}) {
            double[] exponents = new LyapunovEstimator(1e-4, 1).largestExponents(linear(spiral(a)), inputs());
            assertThat(exponents).hasSize(64);
            for (double e : exponents) {
                assertThat(e).as("a = %s", a).isCloseTo(a, within(1e-6));
            }
        }
    }

    @Test
    void distinctRealEigenvaluesGiveTheLargestUpToTheDirectionDrawn() {
        // eigenvalues 0.5 and -1: a direction u grows as |e^{AT} u| ~ e^{0.5 T} |u_1|
        double[] exponents = new LyapunovEstimator(1e-4, 2).largestExponents(linear(new double[][] {{0.5, 0}, {0, -1}}),
                inputs());
        double[] sorted = exponents.clone();
        Arrays.sort(sorted);
        assertThat(sorted[sorted.length / 2]).as("median").isCloseTo(0.5, within(0.1));
        assertThat(sorted[sorted.length - 1]).as("never above the largest").isLessThanOrEqualTo(0.5 + 1e-6);
        double[] negative = new LyapunovEstimator(1e-4, 2).largestExponents(
                linear(new double[][] {{-0.2, 0}, {0, -1.5}}), inputs());
        Arrays.sort(negative);
        assertThat(negative[negative.length / 2]).as("median, both negative").isCloseTo(-0.2, within(0.1));
    }

    @Test
    void theSameSeedGivesTheSameEstimatesAndBadRadiiAreRefused() {
        OdeLayer layer = linear(new double[][] {{0.5, 0}, {0, -1}});
        assertThat(new LyapunovEstimator(1e-4, 3).largestExponents(layer, inputs()))
                .containsExactly(new LyapunovEstimator(1e-4, 3).largestExponents(layer, inputs()));
        assertThatThrownBy(() -> layer.finalStateFrom(inputs(), Nd4j.zeros(DataType.DOUBLE, 64, 3)))
                .hasMessageContaining("a starting state must have the shape of h(t0), [64, 2], got [64, 3]");
        assertThatThrownBy(() -> new LyapunovEstimator(0, 1)).hasMessageContaining("radius r must be finite and > 0, got 0.0");
        assertThatThrownBy(() -> new LyapunovEstimator(Double.NaN, 1)).hasMessageContaining("got NaN");
    }
}
