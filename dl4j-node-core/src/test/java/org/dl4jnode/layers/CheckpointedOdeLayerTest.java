package org.dl4jnode.layers;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.Augmentation;
import org.dl4jnode.conf.AugmentedOdeLayer;
import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.GalerkinOdeLayer;
import org.dl4jnode.conf.GradientComputation;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link GradientMode#CHECKPOINTED} through the layers: the whole network's gradient is BACKPROP's to
 * the last bit in double (fixed and adaptive grids, a Galerkin basis, an augmentation with
 * data control and adaptive depth, budgets from one step per checkpoint up), it passes DL4J's gradient
 * check, and its option rides in the JSON.
 */
@ExtendWith(DoublePrecision.class)
class CheckpointedOdeLayerTest {

    private static final long SEED = 21;
    /** The state of the test networks: 5 examples x 3 features, doubles. */
    private static final long STATE_BYTES = 5 * OdeNetworks.HIDDEN * Double.BYTES;

    private static INDArray gradient(Layer ode, INDArray params) {
        return OdeNetworks.networkGradient(ode, params, SEED, 5);
    }

    /** The layer {@code make} builds with BACKPROP, and with CHECKPOINTED at runs of 1, 2 and 1,000 steps. */
    private static void assertSameAsBackprop(String what, int stages,
                                             Function<GradientMode, Function<Long, Layer>> make) {
        Layer backprop = make.apply(GradientMode.BACKPROP).apply(null);
        INDArray params = OdeNetworks.multiLayerNetwork(backprop, DataType.DOUBLE, SEED).params();
        double[] expected = gradient(backprop, params).data().asDouble();
        for (long run : new long[] {1, 2, 1000}) {
            Layer checkpointed = make.apply(GradientMode.CHECKPOINTED).apply(run * 2 * stages * STATE_BYTES);
            assertThat(gradient(checkpointed, params).data().asDouble()).as(what + ", runs of " + run + " steps")
                    .containsExactly(expected);
        }
    }

    private static <B extends org.dl4jnode.conf.BaseOdeLayer.Builder<B>> B gradient(B b, GradientMode mode,
                                                                                   Long memory) {
        b.gradient(mode);
        return memory == null ? b : b.checkpointMemory(memory);
    }

    @Test
    void onAFixedGridTheGradientIsBackpropsBitForBit() {
        assertSameAsBackprop("RK4 x 7", 4, mode -> memory -> gradient(new OdeLayer.Builder().field(VectorField.mlp(5))
                .solver(Solver.RK4).steps(7), mode, memory).build());
    }

    @Test
    void onAnAdaptiveGridTheGradientIsBackpropsBitForBit() {
        assertSameAsBackprop("DOPRI5 at 1e-6", 7, mode -> memory -> gradient(new OdeLayer.Builder()
                .field(VectorField.mlp(5)).solver(Solver.DOPRI5).tolerances(1e-6, 1e-6), mode, memory).build());
    }

    @Test
    void withAGalerkinBasisAndAnAugmentationTheGradientIsBackpropsBitForBit() {
        assertSameAsBackprop("Galerkin", 6, mode -> memory -> gradient(new GalerkinOdeLayer.Builder()
                .field(VectorField.mlp(4)).basis(Basis.fourier(2)).higherModeScale(0.5).solver(Solver.TSIT5)
                .tolerances(1e-6, 1e-6), mode, memory).build());
        assertSameAsBackprop("second order, data control, adaptive depth", 4, mode -> memory -> gradient(
                new AugmentedOdeLayer.Builder().augmentation(Augmentation.secondOrder().velocityFromInputLayer())
                        .field(VectorField.mlp(4)).dataControlled(true).adaptiveDepth(3).solver(Solver.RK4).steps(5),
                mode, memory).build());
    }

    @Test
    void itPassesTheGradientCheck() {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(new OdeLayer.Builder().field(VectorField.mlp(5))
                .solver(Solver.DOPRI5).steps(6).gradient(GradientMode.CHECKPOINTED).checkpointMemory(1).build(),
                DataType.DOUBLE, SEED);
        assertThat(OdeNetworks.gradientsAreExact(net, 1)).isTrue();
    }

    @Test
    void itsBudgetRidesInTheJsonAndNeedsTheMode() {
        OdeLayer ode = new OdeLayer.Builder().name("ckpt").field(VectorField.mlp(5)).steps(8)
                .gradient(GradientMode.CHECKPOINTED).checkpointMemory(1 << 20).build();
        MultiLayerConfiguration conf = OdeNetworks.multiLayer(ode, DataType.FLOAT, SEED);
        assertThat(conf.toJson()).contains("\"type\" : \"checkpointed\"").contains("\"memoryBytes\" : 1048576");
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertThat(back).isEqualTo(conf);
        assertThat(((org.dl4jnode.conf.BaseOdeLayer) back.getConf(1).getLayer()).getGradientComputation())
                .isEqualTo(GradientComputation.checkpointed(1 << 20));
        assertThatThrownBy(() -> new OdeLayer.Builder().name("b").field(VectorField.mlp(5)).checkpointMemory(1024)
                .build()).hasMessageContaining("OdeLayer 'b': checkpointMemory(1024) is the budget of "
                + "GradientMode.CHECKPOINTED");
        assertThatThrownBy(() -> new OdeLayer.Builder().name("b").field(VectorField.mlp(5))
                .gradient(GradientMode.CHECKPOINTED).checkpointMemory(0).build())
                .hasMessageContaining("checkpointMemory must be >= 1 byte, got 0");
    }
}
