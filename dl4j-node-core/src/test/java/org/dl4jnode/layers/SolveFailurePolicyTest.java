package org.dl4jnode.layers;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.SolveFailurePolicy;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.listeners.NfeListener;
import org.dl4jnode.listeners.SkipMinibatchListener;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.DataSet;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A failed adaptive solve, by the layer's policy: an error with context (the default), or the same
 * pass solved again on a fixed grid, with exact gradients and counted, or the training minibatch
 * skipped with its update undone to the last bit; the listener's step statistics.
 */
@ExtendWith(DoublePrecision.class)
class SolveFailurePolicyTest {

    /** Tolerances no budget of 2 steps meets: every adaptive solve fails. */
    private static OdeLayer.Builder starved(GradientMode mode) {
        return new OdeLayer.Builder().name("starved").field(VectorField.mlp(4)).solver(Solver.DOPRI5)
                .tolerances(1e-10, 1e-10).maxSteps(2).timeSpan(0, 3).gradient(mode);
    }

    @ParameterizedTest
    @EnumSource(GradientMode.class)
    void byDefaultAFailedSolveIsAnErrorWithTheLayerAndTheBudget(GradientMode mode) {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(starved(mode).build(), DataType.DOUBLE, 3);
        assertThatThrownBy(() -> net.output(OdeNetworks.features(4, DataType.DOUBLE, 1)))
                .hasMessageContaining("OdeLayer 'starved'").hasMessageContaining("maxSteps = 2");
    }

    @ParameterizedTest
    @EnumSource(GradientMode.class)
    void aRetryGivesTheFixedGridsSolveAndItsExactGradients(GradientMode mode) {
        MultiLayerNetwork retried = OdeNetworks.multiLayerNetwork(
                starved(mode).onSolveFailure(SolveFailurePolicy.retryOnFixedGrid(6)).build(), DataType.DOUBLE, 3);
        MultiLayerNetwork fixed = OdeNetworks.multiLayerNetwork(new OdeLayer.Builder().name("fixed")
                .field(VectorField.mlp(4)).solver(Solver.DOPRI5).steps(6).timeSpan(0, 3).gradient(mode).build(),
                DataType.DOUBLE, 3);
        fixed.setParams(retried.params());
        INDArray x = OdeNetworks.features(4, DataType.DOUBLE, 1);
        assertThat(retried.output(x)).isEqualTo(fixed.output(x));
        org.dl4jnode.layers.OdeLayer layer = (org.dl4jnode.layers.OdeLayer) retried.getLayer(1);
        assertThat(layer.retriedSolves()).isEqualTo(1);
        assertThat(layer.lastForwardStatistics().acceptedSteps()).isEqualTo(6);
        assertThat(gradient(retried)).isEqualTo(gradient(fixed));
        if (mode == GradientMode.BACKPROP) {
            // the adjoint's is the continuous gradient, off the discrete one by the 6-step solve's error
            assertThat(OdeNetworks.gradientsAreExact(retried, 1)).isTrue();
        }
        assertThat(layer.retriedSolves()).isGreaterThan(1);
    }

    private static INDArray gradient(MultiLayerNetwork net) {
        net.setInput(OdeNetworks.features(4, DataType.DOUBLE, 1));
        net.setLabels(OdeNetworks.labels(4, DataType.DOUBLE, 2));
        net.computeGradientAndScore();
        return net.gradient().gradient().dup();
    }

    @ParameterizedTest
    @EnumSource(GradientMode.class)
    void theListenerRecordsEachPassesSteps(GradientMode mode) {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(new OdeLayer.Builder().name("ode")
                .field(VectorField.mlp(4)).solver(Solver.TSIT5).tolerances(1e-6, 1e-6).gradient(mode).build(),
                DataType.FLOAT, 3);
        NfeListener listener = new NfeListener(1000);
        net.setListeners(listener);
        net.fit(OdeNetworks.features(8, DataType.FLOAT, 1), OdeNetworks.labels(8, DataType.FLOAT, 2));
        NfeListener.LayerNfe counts = listener.last().layers().get(0);
        org.dl4jnode.layers.OdeLayer layer = (org.dl4jnode.layers.OdeLayer) net.getLayer(1);
        assertThat(counts.forwardSteps().accepted()).isEqualTo(layer.lastForwardStatistics().acceptedSteps())
                .isGreaterThan(0);
        assertThat(counts.forwardSteps().smallestStep()).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
        if (mode == GradientMode.ADJOINT) {
            assertThat(counts.backwardSteps().accepted()).isGreaterThan(0);
            assertThat(counts.toString()).contains(", back ");
        } else {
            assertThat(counts.backwardSteps().accepted()).as("backprop replays the forward steps").isZero();
        }
    }

    /** The starved layer, whose every solve fails, skipping; float and Adam, so there is updater state. */
    private static MultiLayerNetwork skipping(GradientMode mode) {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(
                starved(mode).onSolveFailure(SolveFailurePolicy.skipMinibatch()).build(), DataType.FLOAT, 3);
        net.getUpdater();
        return net;
    }

    @ParameterizedTest
    @EnumSource(GradientMode.class)
    void aSkippedMinibatchLeavesTheParametersAndTheUpdaterStateAsTheyWere(GradientMode mode) {
        MultiLayerNetwork net = skipping(mode);
        SkipMinibatchListener skips = SkipMinibatchListener.attachTo(net);
        org.dl4jnode.layers.OdeLayer layer = (org.dl4jnode.layers.OdeLayer) net.getLayer(1);
        INDArray x = OdeNetworks.features(8, DataType.FLOAT, 1);
        INDArray y = OdeNetworks.labels(8, DataType.FLOAT, 2);
        for (int i = 0; i < 3; i++) {
            INDArray params = net.params().dup();
            INDArray state = net.getUpdater().getStateViewArray().dup();
            net.fit(x, y);
            assertThat(net.params()).isEqualTo(params);
            assertThat(net.getUpdater().getStateViewArray()).isEqualTo(state);
        }
        assertThat(skips.skipped()).isEqualTo(3);
        assertThat(layer.minibatchSkips().count()).isEqualTo(3);
        assertThat(layer.minibatchSkips().pending()).isEmpty();
        // inference does not skip: it fails as under fail()
        assertThatThrownBy(() -> net.output(x)).hasMessageContaining("OdeLayer 'starved'")
                .hasMessageContaining("maxSteps = 2");
    }

    @ParameterizedTest
    @EnumSource(GradientMode.class)
    void onlyTheMinibatchesThatFailAreSkipped(GradientMode mode) {
        // a linear field straight on the input, atol loose and rtol tight: tiny inputs take 3
        // steps, inputs of 1e6 not even half the span in the budget of 12
        OdeLayer conf = new OdeLayer.Builder().name("tight").field(VectorField.mlp(4).activation(Activation.IDENTITY))
                .solver(Solver.DOPRI5).tolerances(1e-9, 1e-4).maxSteps(12).timeSpan(0, 1).gradient(mode)
                .onSolveFailure(SolveFailurePolicy.skipMinibatch()).build();
        MultiLayerConfiguration configuration = OdeNetworks.base(DataType.FLOAT, 3).list().layer(conf)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(OdeNetworks.CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(OdeNetworks.N_IN)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(configuration);
        net.init();
        SkipMinibatchListener skips = SkipMinibatchListener.attachTo(net);
        INDArray small = OdeNetworks.features(8, DataType.FLOAT, 1).mul(1e-5);
        INDArray large = OdeNetworks.features(8, DataType.FLOAT, 1).mul(1e6);
        INDArray y = OdeNetworks.labels(8, DataType.FLOAT, 2);
        INDArray initial = net.params().dup();
        net.fit(new DataSet(small, y));
        INDArray afterGood = net.params().dup();
        assertThat(afterGood).as("a solve that succeeds trains").isNotEqualTo(initial);
        net.fit(new DataSet(large, y));
        assertThat(skips.skipped()).isEqualTo(1);
        assertThat(net.params()).isEqualTo(afterGood);
        net.fit(new DataSet(small, y));
        assertThat(skips.skipped()).isEqualTo(1);
        assertThat(net.params()).isNotEqualTo(afterGood);
        assertThat(((org.dl4jnode.layers.OdeLayer) net.getLayer(0)).minibatchSkips().count()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(GradientMode.class)
    void withoutTheListenerASkipIsAnErrorNamingIt(GradientMode mode) {
        MultiLayerNetwork net = skipping(mode);
        INDArray params = net.params().dup();
        assertThatThrownBy(() -> net.fit(OdeNetworks.features(8, DataType.FLOAT, 1),
                OdeNetworks.labels(8, DataType.FLOAT, 2)))
                .hasMessageContaining("OdeLayer 'starved'").hasMessageContaining("maxSteps = 2")
                .hasMessageContaining("SkipMinibatchListener.attachTo(network)");
        assertThat(net.params()).isEqualTo(params);
    }

    @ParameterizedTest
    @EnumSource(GradientMode.class)
    void aComputationGraphSkipsToo(GradientMode mode) {
        ComputationGraph graph = OdeNetworks.computationGraph(
                starved(mode).onSolveFailure(SolveFailurePolicy.skipMinibatch()).build(), DataType.FLOAT, 3);
        SkipMinibatchListener skips = SkipMinibatchListener.attachTo(graph);
        INDArray params = graph.params().dup();
        graph.fit(new DataSet(OdeNetworks.features(8, DataType.FLOAT, 1), OdeNetworks.labels(8, DataType.FLOAT, 2)));
        assertThat(skips.skipped()).isEqualTo(1);
        assertThat(graph.params()).isEqualTo(params);
    }
}
