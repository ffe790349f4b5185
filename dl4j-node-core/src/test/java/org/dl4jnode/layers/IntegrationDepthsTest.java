package org.dl4jnode.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The learned integration depths T(x) = |1 + g(x)| of an adaptive-depth layer, read against the layer's own solve:
 * with the constant field dh/dt = b, example i ends at x_i + T(x_i) (t1 - t0) b.
 */
@ExtendWith(DoublePrecision.class)
class IntegrationDepthsTest {

    private static final double T0 = 0.5;
    private static final double T1 = 2.5;

    private static MultiLayerNetwork constantField(boolean adaptiveDepth) {
        org.dl4jnode.conf.OdeLayer.Builder builder = new org.dl4jnode.conf.OdeLayer.Builder()
                .field(VectorField.mlp().timeDependent(false)).solver(Solver.RK4).steps(4).timeSpan(T0, T1);
        if (adaptiveDepth) {
            builder.adaptiveDepth(3);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).list().layer(builder.build()).setInputType(InputType.feedForward(2))
                .build());
        net.init();
        net.getLayer(0).setParam("W0", Nd4j.zeros(DataType.DOUBLE, 2, 2));
        net.getLayer(0).setParam("b0", Nd4j.createFromArray(new double[][] {{1, -2}}));
        return net;
    }

    private static INDArray inputs() {
        Nd4j.getRandom().setSeed(11);
        return Nd4j.randn(DataType.DOUBLE, 16, 2);
    }

    @Test
    void aFreshDepthNetworkGivesEveryExampleTheSpan() {
        MultiLayerNetwork net = constantField(true);
        double[] ones = new double[16];
        java.util.Arrays.fill(ones, 1.0);
        assertThat(IntegrationDepths.of((OdeLayer) net.getLayer(0), inputs())).containsExactly(ones);
    }

    @Test
    void theDepthsAreTheOnesTheSolveIntegratesOver() {
        MultiLayerNetwork net = constantField(true);
        OdeLayer layer = (OdeLayer) net.getLayer(0);
        Nd4j.getRandom().setSeed(4);
        layer.setParam("depthW1", Nd4j.randn(DataType.DOUBLE, 3, 1));
        layer.setParam("depthb1", Nd4j.createFromArray(new double[][] {{-1.5}}));
        INDArray x = inputs();
        double[] depths = IntegrationDepths.of(layer, x);
        INDArray out = net.output(x);
        double distinct = java.util.Arrays.stream(depths).max().orElseThrow() - java.util.Arrays.stream(depths).min()
                .orElseThrow();
        assertThat(distinct).as("the examples get different depths").isGreaterThan(0.1);
        for (int i = 0; i < depths.length; i++) {
            assertThat(depths[i]).isGreaterThanOrEqualTo(0);
            double length = depths[i] * (T1 - T0);
            assertThat(out.getDouble(i, 0)).isCloseTo(x.getDouble(i, 0) + length, within(1e-12));
            assertThat(out.getDouble(i, 1)).isCloseTo(x.getDouble(i, 1) - 2 * length, within(1e-12));
        }
    }

    @Test
    void aLayerWithoutAdaptiveDepthIsRefusedByName() {
        OdeLayer layer = (OdeLayer) constantField(false).getLayer(0);
        assertThatThrownBy(() -> IntegrationDepths.of(layer, inputs())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no adaptive depth").hasMessageContaining("index 0");
    }

    @Test
    void anInputOfTheWrongShapeIsRefused() {
        OdeLayer layer = (OdeLayer) constantField(true).getLayer(0);
        assertThatThrownBy(() -> IntegrationDepths.of(layer, Nd4j.zeros(DataType.DOUBLE, 4, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[minibatch, 2]")
                .hasMessageContaining("[4, 1]");
    }
}
