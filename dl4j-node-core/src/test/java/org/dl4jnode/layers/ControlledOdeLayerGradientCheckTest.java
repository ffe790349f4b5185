package org.dl4jnode.layers;

import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.Augmentation;
import org.dl4jnode.conf.AugmentedOdeLayer;
import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.GalerkinOdeLayer;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DL4J's numerical gradient check, in double precision, of the fields that read the layer's input:
 * data control (on each of the three layers) and adaptive depth. The input's gradient has two paths,
 * through h(t0) and through the field, and both are checked.
 */
@ExtendWith(DoublePrecision.class)
class ControlledOdeLayerGradientCheckTest {


    private static void assertExact(Layer ode, long seed) {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(ode, DataType.DOUBLE, seed);
        if (net.getLayer(1).paramTable().containsKey("depthW1")) {
            // the depth network's last layer starts at zero (T = 1); move it so T(x) varies
            OdeNetworks.perturb(net.getLayer(1), "depthW1", 0.4, seed);
        }
        assertThat(OdeNetworks.gradientsAreExact(net, seed)).as("gradient check of %s", ode).isTrue();
    }

    @Test
    void dataControlledOdeLayer() {
        assertExact(new OdeLayer.Builder().name("ode").field(VectorField.mlp(4)).dataControlled(true)
                .solver(Solver.RK4).steps(3).build(), 1);
    }

    @Test
    void dataControlledGalerkinOdeLayer() {
        assertExact(new GalerkinOdeLayer.Builder().name("ode").field(VectorField.mlp(3)).dataControlled(true)
                .basis(Basis.fourier(1)).higherModeScale(0.5).solver(Solver.MIDPOINT).steps(3).build(), 2);
    }

    @Test
    void dataControlledAugmentedOdeLayer() {
        assertExact(new AugmentedOdeLayer.Builder().name("ode").field(VectorField.mlp(4)).dataControlled(true)
                .augmentation(Augmentation.inputLayer(2).onlyExtraDims()).solver(Solver.RK4).steps(3).build(), 3);
    }

    @Test
    void adaptiveDepthOdeLayer() {
        assertExact(new OdeLayer.Builder().name("ode").field(VectorField.mlp(4)).adaptiveDepth(3)
                .timeSpan(0.5, 1.5).solver(Solver.RK4).steps(3).build(), 4);
    }

    @Test
    void adaptiveDepthWithDataControlOnASecondOrderState() {
        assertExact(new AugmentedOdeLayer.Builder().name("ode").field(VectorField.mlp(4)).adaptiveDepth(3)
                .dataControlled(true).augmentation(Augmentation.secondOrder()).solver(Solver.RK4).steps(3).build(), 5);
    }

    @Test
    void adaptiveDepthWithAdaptiveSteps() {
        assertExact(new OdeLayer.Builder().name("ode").field(VectorField.mlp(4)).adaptiveDepth(3)
                .solver(Solver.DOPRI5).tolerances(1e-7, 1e-7).build(), 6);
    }

    @Test
    void computationGraphWithDataControl() {
        ComputationGraph net = OdeNetworks.computationGraph(new OdeLayer.Builder().name("ode")
                .field(VectorField.mlp(4)).dataControlled(true).adaptiveDepth(2).build(), DataType.DOUBLE, 7);
        OdeNetworks.perturb(net.getLayer("ode"), "depthW1", 0.4, 7);
        assertThat(OdeNetworks.gradientsAreExact(net, 7)).isTrue();
    }
}
