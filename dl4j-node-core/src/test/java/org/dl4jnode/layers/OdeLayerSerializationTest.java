package org.dl4jnode.layers;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.dl4jnode.conf.Augmentation;
import org.dl4jnode.conf.AugmentedOdeLayer;
import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.GalerkinOdeLayer;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.samediff.basis.FunctionBasis;
import org.dl4jnode.samediff.regularizer.FlowRegularizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.File;
import java.io.IOException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JSON and ModelSerializer round trips of every ODE layer type, including the updater state that
 * training continues from.
 */
class OdeLayerSerializationTest {

    /** Every ODE layer type, with non-default options, and every basis of the Galerkin layer. */
    static Stream<Layer> layers() {
        return Stream.of(
                new OdeLayer.Builder().name("ode")
                        .field(VectorField.mlp(6, 5).activation(Activation.SOFTPLUS).zeroInitLast(true))
                        .solver(Solver.MIDPOINT).steps(3).timeSpan(-0.5, 0.75)
                        .l2(1e-3)
                        .build(),
                new OdeLayer.Builder().name("signed").field(VectorField.mlp(4).outputActivation(Activation.SOFTPLUS))
                        .solver(Solver.RK4).steps(2)
                        .build(),
                new OdeLayer.Builder().name("adaptive").field(VectorField.mlp(5))
                        .solver(Solver.BOSH3).tolerances(1e-4, 1e-6).maxSteps(500).minStep(1e-8)
                        .build(),
                new OdeLayer.Builder().name("regularized").field(VectorField.mlp(5))
                        .solver(Solver.DOPRI5).tolerances(1e-4, 1e-6)
                        .regularizers(FlowRegularizer.finalStateStability(0.01), FlowRegularizer.kineticEnergy(0.02),
                                FlowRegularizer.jacobianFrobenius(0.03).seed(5))
                        .build(),
                new OdeLayer.Builder().name("adjoint").field(VectorField.mlp(5))
                        .solver(Solver.DOPRI5).tolerances(1e-4, 1e-6).gradient(GradientMode.ADJOINT)
                        .adjointTolerances(1e-5, 1e-7)
                        .build(),
                new AugmentedOdeLayer.Builder().name("anode").augmentation(Augmentation.zeros(2))
                        .keepAugmentedDims(false).basis(Basis.fourier(1)).field(VectorField.mlp(4))
                        .solver(Solver.RK4).steps(2).l2(1e-3)
                        .build(),
                new AugmentedOdeLayer.Builder().name("second").augmentation(Augmentation.secondOrder(1)
                                .velocityFromInputLayer())
                        .field(VectorField.mlp(4)).dataControlled(true).adaptiveDepth(3)
                        .solver(Solver.DOPRI5).tolerances(1e-4, 1e-6).gradient(GradientMode.ADJOINT)
                        .build(),
                new AugmentedOdeLayer.Builder().name("il").augmentation(Augmentation.inputLayer(2).onlyExtraDims())
                        .field(VectorField.mlp(4)).solver(Solver.MIDPOINT).steps(2)
                        .build(),
                galerkin(Basis.fourier(2).period(3.0)),
                galerkin(Basis.chebyshev(2)),
                galerkin(Basis.legendre(1)),
                galerkin(Basis.polynomial(2)),
                galerkin(Basis.piecewiseConstant(3)));
    }

    private static GalerkinOdeLayer galerkin(FunctionBasis basis) {
        return new GalerkinOdeLayer.Builder().name("galerkin")
                .field(VectorField.mlp(4).activation(Activation.SOFTPLUS))
                .basis(basis).higherModeScale(0.25)
                .solver(Solver.BOSH3).steps(2).timeSpan(0.25, 1.25)
                .l2(1e-3)
                .build();
    }

    @ParameterizedTest
    @MethodSource("layers")
    void multiLayerConfigurationJsonRoundTripIsEqual(Layer ode) {
        MultiLayerConfiguration conf = OdeNetworks.multiLayer(ode, DataType.FLOAT, 1);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertThat(back).isEqualTo(conf);
        assertThat(back.getConf(1).getLayer()).isEqualTo(conf.getConf(1).getLayer());
        assertThat(back.toJson()).isEqualTo(conf.toJson());
    }

    @ParameterizedTest
    @MethodSource("layers")
    void computationGraphConfigurationJsonRoundTripIsEqual(Layer ode) {
        ComputationGraphConfiguration conf = OdeNetworks.graph(ode, DataType.FLOAT, 1);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertThat(back).isEqualTo(conf);
        assertThat(back.toJson()).isEqualTo(conf.toJson());
    }

    @ParameterizedTest
    @MethodSource("layers")
    void multiLayerNetworkRestoresIdenticallyAndContinuesTraining(Layer ode, @TempDir File dir) throws IOException {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(ode, DataType.FLOAT, 7);
        DataSet batch = new DataSet(OdeNetworks.features(16, DataType.FLOAT, 1), OdeNetworks.labels(16, DataType.FLOAT, 2));
        for (int i = 0; i < 3; i++) {
            net.fit(batch);
        }
        File file = new File(dir, "ode-mln.zip");
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);

        assertThat(restored.getLayerWiseConfigurations()).isEqualTo(net.getLayerWiseConfigurations());
        assertThat(restored.params()).isEqualTo(net.params());
        assertThat(restored.getUpdater().getStateViewArray()).isEqualTo(net.getUpdater().getStateViewArray());
        INDArray x = batch.getFeatures();
        assertThat(restored.output(x)).isEqualTo(net.output(x));

        net.fit(batch);
        restored.fit(batch);
        assertThat(restored.params()).as("one more Adam step from the restored updater state").isEqualTo(net.params());
    }

    @ParameterizedTest
    @MethodSource("layers")
    void computationGraphRestoresIdenticallyAndContinuesTraining(Layer ode, @TempDir File dir) throws IOException {
        ComputationGraph net = OdeNetworks.computationGraph(ode, DataType.FLOAT, 7);
        DataSet batch = new DataSet(OdeNetworks.features(16, DataType.FLOAT, 1), OdeNetworks.labels(16, DataType.FLOAT, 2));
        for (int i = 0; i < 3; i++) {
            net.fit(batch);
        }
        File file = new File(dir, "ode-cg.zip");
        ModelSerializer.writeModel(net, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);

        assertThat(restored.getConfiguration()).isEqualTo(net.getConfiguration());
        assertThat(restored.params()).isEqualTo(net.params());
        INDArray x = batch.getFeatures();
        assertThat(restored.outputSingle(x)).isEqualTo(net.outputSingle(x));

        net.fit(batch);
        restored.fit(batch);
        assertThat(restored.params()).isEqualTo(net.params());
    }

    @org.junit.jupiter.api.Test
    void fieldsAndBasesAreNamedLogicallySoThatClassesCanMove() {
        String json = OdeNetworks.multiLayer(galerkin(Basis.chebyshev(2)), DataType.FLOAT, 1).toJson();
        assertThat(json).contains("\"@class\" : \"mlp\"").contains("\"@class\" : \"chebyshev\"")
                .doesNotContain("org.dl4jnode.samediff");
        // what release 0.1.0 wrote still reads (the golden models test whole saved networks)
        String old = json.replace("\"@class\" : \"mlp\"", "\"@class\" : \"org.dl4jnode.samediff.field.MlpField\"")
                .replace("\"@class\" : \"chebyshev\"", "\"@class\" : \"org.dl4jnode.samediff.basis.ChebyshevBasis\"");
        assertThat(MultiLayerConfiguration.fromJson(old).toJson()).isEqualTo(json);
        String unknown = json.replace("\"@class\" : \"chebyshev\"", "\"@class\" : \"hermite\"");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MultiLayerConfiguration.fromJson(unknown))
                .hasStackTraceContaining("unknown FunctionBasis type 'hermite'")
                .hasStackTraceContaining("chebyshev");
    }
}
