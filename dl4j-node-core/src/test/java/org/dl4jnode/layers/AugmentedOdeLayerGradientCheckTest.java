package org.dl4jnode.layers;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.Augmentation;
import org.dl4jnode.conf.AugmentedOdeLayer;
import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DL4J's numerical gradient check, in double precision, of every augmentation: the input layer's
 * parameters, the field's, and the gradient passed to the layer below through both the lift and the
 * solve. The layer below has {@value OdeNetworks#HIDDEN} outputs, so d = 3.
 */
@ExtendWith(DoublePrecision.class)
class AugmentedOdeLayerGradientCheckTest {


    static Stream<Arguments> augmentations() {
        return Stream.of(
                Arguments.of(Augmentation.zeros(2), true),
                Arguments.of(Augmentation.zeros(2), false),
                Arguments.of(Augmentation.inputLayer(2), true),
                Arguments.of(Augmentation.inputLayer(2).onlyExtraDims(), false),
                Arguments.of(Augmentation.secondOrder(), true),
                Arguments.of(Augmentation.secondOrder(), false),
                Arguments.of(Augmentation.secondOrder().velocityFromInputLayer(), false),
                Arguments.of(Augmentation.secondOrder(1), true),
                Arguments.of(Augmentation.secondOrder(2).velocityFromInputLayer(), true));
    }

    private static AugmentedOdeLayer.Builder layer(Augmentation augmentation, boolean keepAugmentedDims) {
        return new AugmentedOdeLayer.Builder()
                .name("ode")
                .augmentation(augmentation)
                .keepAugmentedDims(keepAugmentedDims)
                .field(VectorField.mlp(4))
                .solver(Solver.RK4).steps(3)
                .timeSpan(0.0, 1.5);
    }

    @ParameterizedTest(name = "{0}, keep augmented dims {1}")
    @MethodSource("augmentations")
    void multiLayerNetworkGradientsAreExact(Augmentation augmentation, boolean keepAugmentedDims) {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(layer(augmentation, keepAugmentedDims).build(),
                DataType.DOUBLE, 12345);
        assertThat(OdeNetworks.gradientsAreExact(net, 1)).as("gradient check of %s", augmentation).isTrue();
    }

    @Test
    void computationGraphGradientsAreExact() {
        ComputationGraph net = OdeNetworks.computationGraph(layer(Augmentation.inputLayer(1), true).build(),
                DataType.DOUBLE, 54321);
        assertThat(OdeNetworks.gradientsAreExact(net, 3)).isTrue();
    }

    @Test
    void aGalerkinFieldInsideAnAugmentedLayerHasExactGradients() {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(
                layer(Augmentation.secondOrder().velocityFromInputLayer(), false).basis(Basis.fourier(1)).build(),
                DataType.DOUBLE, 777);
        // the higher modes start at zero; move them so that their gradients are tested where they matter
        OdeNetworks.perturb(net.getLayer(1), "W1Coef", 0.3, 5);
        assertThat(OdeNetworks.gradientsAreExact(net, 2)).isTrue();
    }

    @Test
    void adaptiveSteppingThroughAnAugmentedStateHasExactGradients() {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(new AugmentedOdeLayer.Builder()
                .name("ode").augmentation(Augmentation.zeros(2)).field(VectorField.mlp(4))
                .solver(Solver.DOPRI5).tolerances(1e-7, 1e-7).build(), DataType.DOUBLE, 99);
        assertThat(OdeNetworks.gradientsAreExact(net, 4)).isTrue();
    }
}
