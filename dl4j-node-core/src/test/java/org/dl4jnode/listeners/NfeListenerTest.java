package org.dl4jnode.listeners;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NfeListenerTest {

    private static final DataSet DATA = new DataSet(Nd4j.rand(DataType.FLOAT, 8, 3),
            Nd4j.eye(2).getRows(0, 1, 0, 1, 0, 1, 0, 1).castTo(DataType.FLOAT));

    private static OdeLayer.Builder ode(String name) {
        return new OdeLayer.Builder().name(name).field(VectorField.mlp(4));
    }

    private static MultiLayerNetwork network(OdeLayer... odes) {
        var list = new NeuralNetConfiguration.Builder().seed(1).list();
        for (OdeLayer ode : odes) {
            list.layer(ode);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nOut(2).activation(Activation.SOFTMAX).build()).setInputType(InputType.feedForward(3)).build());
        net.init();
        return net;
    }

    @Test
    void recordsEveryIterationPerOdeLayer() {
        MultiLayerNetwork net = network(ode("rk4").solver(Solver.RK4).steps(3).build(),
                ode("adjoint").solver(Solver.MIDPOINT).steps(5).gradient(GradientMode.ADJOINT).build());
        NfeListener nfe = new NfeListener(1);
        net.setListeners(nfe);
        for (int i = 0; i < 3; i++) {
            net.fit(DATA);
        }
        assertThat(nfe.history()).hasSize(3);
        NfeListener.Iteration last = nfe.last();
        assertThat(last.layers()).extracting(NfeListener.LayerNfe::layer, NfeListener.LayerNfe::forward,
                NfeListener.LayerNfe::backward).containsExactly(tuple("rk4", 12L, 12L), tuple("adjoint", 10L, 10L));
        assertThat(last.layers()).extracting(l -> l.forwardSteps().accepted(), l -> l.backwardSteps().accepted())
                .as("backprop replays its forward steps; the adjoint solves its own 5 back")
                .containsExactly(tuple(3, 0), tuple(5, 5));
        assertThat(last.forward()).isEqualTo(22);
        assertThat(last.backward()).isEqualTo(22);
        assertThat(nfe.history()).extracting(NfeListener.Iteration::iteration).containsExactly(0, 1, 2);
    }

    @Test
    void theHistoryKeepsTheLastIterationsOnly() {
        MultiLayerNetwork net = network(ode("rk4").solver(Solver.RK4).steps(1).build());
        NfeListener nfe = new NfeListener(100, 2);
        net.setListeners(nfe);
        for (int i = 0; i < 5; i++) {
            net.fit(DATA);
        }
        assertThat(nfe.history()).extracting(NfeListener.Iteration::iteration).containsExactly(3, 4);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new NfeListener(1, 0))
                .hasMessageContaining("historySize must be >= 1, got 0");
    }

    @Test
    void adaptiveCountsFollowTheSolve() {
        MultiLayerNetwork net = network(ode("dopri").solver(Solver.DOPRI5).tolerances(1e-6, 1e-6).build());
        NfeListener nfe = new NfeListener();
        net.setListeners(nfe);
        net.fit(DATA);
        org.dl4jnode.layers.OdeLayer layer = (org.dl4jnode.layers.OdeLayer) net.getLayer(0);
        assertThat(nfe.last().forward()).isEqualTo(layer.lastForwardEvaluations()).isGreaterThan(6);
        assertThat(nfe.last().backward()).isEqualTo(layer.lastBackwardEvaluations()).isGreaterThan(0);
    }

    @Test
    void worksOnComputationGraphs() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(1).graphBuilder()
                .addInputs("in").addLayer("ode", ode("ode").steps(2).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "ode")
                .setOutputs("out").setInputTypes(InputType.feedForward(3)).build());
        graph.init();
        NfeListener nfe = new NfeListener(5);
        graph.setListeners(nfe);
        graph.fit(DATA);
        assertThat(nfe.last().layers()).extracting(NfeListener.LayerNfe::layer, NfeListener.LayerNfe::forward,
                NfeListener.LayerNfe::backward).containsExactly(tuple("ode", 8L, 8L));
    }

    @Test
    void rejectsANonPositiveFrequencyAndHasNoLastBeforeTraining() {
        assertThatThrownBy(() -> new NfeListener(0)).hasMessageContaining("frequency must be >= 1, got 0");
        assertThatThrownBy(() -> new NfeListener().last()).hasMessageContaining("no iteration yet");
    }
}
