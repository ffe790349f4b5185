package org.dl4jnode.layers;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.SolveFailurePolicy;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.listeners.NfeListener;
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
 * pass solved again on a fixed grid, with exact gradients and counted; the listener's step statistics.
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
}
