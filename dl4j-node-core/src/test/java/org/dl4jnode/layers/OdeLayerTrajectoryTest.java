package org.dl4jnode.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dl4jnode.conf.Augmentation;
import org.dl4jnode.conf.AugmentedOdeLayer;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The runtime layer's views of its solve: the trajectory of states and the right-hand side. */
@ExtendWith(DoublePrecision.class)
class OdeLayerTrajectoryTest {


    private static MultiLayerNetwork network(Layer ode) {
        MultiLayerNetwork net = new MultiLayerNetwork(OdeNetworks.base(DataType.DOUBLE, 3).list()
                .layer(ode)
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(3))
                .build());
        net.init();
        return net;
    }

    @Test
    void aTrajectoryStartsAtTheLiftedInputAndEndsAtTheOutput() {
        MultiLayerNetwork net = network(new AugmentedOdeLayer.Builder().augmentation(Augmentation.inputLayer(2))
                .field(VectorField.mlp(4)).solver(Solver.RK4).steps(3).build());
        org.dl4jnode.layers.OdeLayer layer = (org.dl4jnode.layers.OdeLayer) net.getLayer(0);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 3);

        List<INDArray> states = layer.trajectory(x);

        assertThat(states).hasSize(4);
        INDArray lifted = x.mmul(layer.getParam(Augmentation.WEIGHT_KEY))
                .addRowVector(layer.getParam(Augmentation.BIAS_KEY));
        assertThat(states.get(0).equalsWithEps(lifted, 1e-12)).isTrue();
        assertThat(states.get(3).equalsWithEps(net.output(x), 1e-12)).isTrue();
        assertThat(states.get(1).equalsWithEps(states.get(0), 1e-3)).as("the state moves").isFalse();
    }

    @Test
    void theRightHandSideIsTheFieldWithTheLayersParameters() {
        MultiLayerNetwork net = network(new OdeLayer.Builder().field(VectorField.mlp().timeDependent(false)).build());
        org.dl4jnode.layers.OdeLayer layer = (org.dl4jnode.layers.OdeLayer) net.getLayer(0);
        INDArray h = Nd4j.rand(DataType.DOUBLE, 4, 3);

        INDArray expected = h.mmul(layer.getParam("W0")).addRowVector(layer.getParam("b0"));
        assertThat(layer.vectorFieldAt(0.3, h).equalsWithEps(expected, 1e-12)).isTrue();
    }

    @Test
    void aFieldThatReadsTheInputHasNoRightHandSideWithoutIt() {
        MultiLayerNetwork net = network(new OdeLayer.Builder().name("ode").field(VectorField.mlp(4))
                .dataControlled(true).build());
        org.dl4jnode.layers.OdeLayer layer = (org.dl4jnode.layers.OdeLayer) net.getLayer(0);
        assertThatThrownBy(() -> layer.vectorFieldAt(0.0, Nd4j.rand(DataType.DOUBLE, 2, 3)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("OdeLayer 'ode'")
                .hasMessageContaining("use trajectory(x)");
        assertThat(layer.trajectory(Nd4j.rand(DataType.DOUBLE, 2, 3))).hasSize(5);
    }

    @Test
    void aTrajectoryBetweenTheForwardAndBackwardPassesLeavesTheGradientAlone() {
        MultiLayerNetwork net = network(new OdeLayer.Builder().field(VectorField.mlp(4)).dataControlled(true)
                .solver(Solver.RK4).steps(3).build());
        net.initGradientsView();
        org.dl4jnode.layers.OdeLayer layer = (org.dl4jnode.layers.OdeLayer) net.getLayer(0);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 3);
        INDArray epsilon = Nd4j.rand(DataType.DOUBLE, 5, 3);

        layer.activate(x, true, mgr);
        Pair<Gradient, INDArray> plain = layer.backpropGradient(epsilon, mgr);
        INDArray paramGradient = plain.getFirst().gradient().dup();
        INDArray inputGradient = plain.getSecond().dup();

        layer.activate(x, true, mgr);
        layer.trajectory(Nd4j.rand(DataType.DOUBLE, 2, 3)); // binds another input to the field
        Pair<Gradient, INDArray> after = layer.backpropGradient(epsilon, mgr);

        assertThat(after.getFirst().gradient()).isEqualTo(paramGradient);
        assertThat(after.getSecond()).isEqualTo(inputGradient);
    }
}
