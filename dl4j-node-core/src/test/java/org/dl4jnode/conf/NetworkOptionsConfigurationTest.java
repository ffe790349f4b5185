package org.dl4jnode.conf;

import org.deeplearning4j.exception.DL4JInvalidConfigException;
import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.constraint.MaxNormConstraint;
import org.deeplearning4j.nn.conf.constraint.NonNegativeConstraint;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.dropout.GaussianDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.weightnoise.DropConnect;
import org.deeplearning4j.nn.conf.weightnoise.WeightNoise;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DL4J's own per-layer and global options on the ODE layers' configurations: each one is kept and
 * reaches the parameters it should, or is refused at {@code build()} / {@code init()} with a message
 * that names the layer and the option. (What the kept ones do in training: {@code NetworkOptionsTrainingTest}.)
 */
class NetworkOptionsConfigurationTest {

    private static MultiLayerConfiguration network(UnaryOperator<NeuralNetConfiguration.Builder> global, Layer ode) {
        return global.apply(new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-2))).list()
                .layer(new DenseLayer.Builder().nOut(3).activation(Activation.TANH).build())
                .layer(ode)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(4))
                .build();
    }

    private static OdeLayer plain() {
        return new OdeLayer.Builder().name("ode").field(VectorField.mlp(5)).steps(2).build();
    }

    private static GalerkinOdeLayer galerkin() {
        return new GalerkinOdeLayer.Builder().name("galerkin").field(VectorField.mlp(5)).basis(Basis.fourier(2))
                .steps(2).build();
    }

    private static BaseOdeLayer odeOf(MultiLayerConfiguration conf) {
        return (BaseOdeLayer) conf.getConf(1).getLayer();
    }

    private static Set<String> constrained(BaseOdeLayer layer, Class<? extends LayerConstraint> kind) {
        Set<String> params = new HashSet<>();
        for (LayerConstraint c : layer.getConstraints()) {
            if (kind.isInstance(c)) {
                params.addAll(c.getParams());
            }
        }
        return params;
    }

    /** ODE layers of every kind, with nIn left for setInputType to infer. */
    static Stream<BaseOdeLayer> layersWithoutNIn() {
        return Stream.of(plain(), galerkin(),
                new AugmentedOdeLayer.Builder().augmentation(Augmentation.inputLayer(2)).field(VectorField.mlp(4))
                        .build(),
                new AugmentedOdeLayer.Builder().augmentation(Augmentation.secondOrder(2).velocityFromInputLayer())
                        .field(VectorField.mlp(4)).dataControlled(true).adaptiveDepth(3).build(),
                new OdeLayer.Builder().field(VectorField.conv(4, 3)).build());
    }

    @ParameterizedTest
    @MethodSource("layersWithoutNIn")
    void parameterKeysAreKnownBeforeNInAndDoNotDependOnIt(BaseOdeLayer layer) {
        var before = layer.parameterKeys();
        for (long nIn : new long[] {3, 7}) {
            layer.setNIn(nIn);
            assertThat(layer.parameterKeys()).containsExactlyEntriesOf(before);
            assertThat(layer.trainableParams()).extracting(p -> p.key()).containsExactlyElementsOf(before.keySet());
        }
    }

    @Test
    void globalConstraintsResolveBeforeSetInputTypeSetsNIn() {
        MultiLayerConfiguration conf = network(g -> g.constrainWeights(new MaxNormConstraint(0.1, 0))
                .constrainBias(new NonNegativeConstraint()), plain());
        BaseOdeLayer ode = odeOf(conf);
        assertThat(ode.getNIn()).isEqualTo(3);
        assertThat(constrained(ode, MaxNormConstraint.class)).containsExactlyInAnyOrder("W0", "Wt", "W1");
        assertThat(constrained(ode, NonNegativeConstraint.class)).containsExactlyInAnyOrder("b0", "b1");
        new MultiLayerNetwork(conf).init();
    }

    @Test
    void constraintsOnTheLayerBuilderAreKept() {
        // before 0.2 the builder's constraints were dropped without a word
        OdeLayer ode = new OdeLayer.Builder().field(VectorField.mlp(5)).constrainWeights(new MaxNormConstraint(2, 0))
                .build();
        assertThat(constrained(ode, MaxNormConstraint.class)).containsExactlyInAnyOrder("W0", "Wt", "W1");
        AugmentedOdeLayer lifted = new AugmentedOdeLayer.Builder().augmentation(Augmentation.inputLayer(2))
                .field(VectorField.mlp(4)).constrainWeights(new MaxNormConstraint(2, 0)).build();
        assertThat(constrained(lifted, MaxNormConstraint.class)).contains("liftW").doesNotContain("liftb");
        assertThat(constrained(odeOf(network(g -> g, ode)), MaxNormConstraint.class)).hasSize(3);
    }

    @Test
    void galerkinLayersRefuseGlobalConstraintsAtTheConfigurationsBuild() {
        assertThatThrownBy(() -> network(g -> g.constrainWeights(new MaxNormConstraint(0.1, 0)), galerkin()))
                .isInstanceOf(DL4JInvalidConfigException.class)
                .hasMessageContaining("GalerkinOdeLayer 'galerkin'")
                .hasMessageContaining("constraints [MaxNormConstraint")
                .hasMessageContaining("coefficients C_j of the basis fourier(2)");
    }

    @Test
    void galerkinLayersRefuseWeightNoiseAtTheConfigurationsBuild() {
        assertThatThrownBy(() -> network(g -> g.weightNoise(new DropConnect(0.5)), galerkin()))
                .isInstanceOf(DL4JInvalidConfigException.class)
                .hasMessageContaining("GalerkinOdeLayer 'galerkin'")
                .hasMessageContaining("weightNoise DropConnect")
                .hasMessageContaining("changes with depth");
    }

    @Test
    void layersWithABasisRefuseConstraintsAndWeightNoiseAtBuild() {
        assertThatThrownBy(() -> new GalerkinOdeLayer.Builder().name("g").field(VectorField.mlp(5))
                .basis(Basis.chebyshev(2)).constrainBias(new NonNegativeConstraint()).build())
                .hasMessageContaining("GalerkinOdeLayer 'g': constraints").hasMessageContaining("chebyshev(2)");
        assertThatThrownBy(() -> new AugmentedOdeLayer.Builder().name("a").augmentation(Augmentation.zeros(1))
                .basis(Basis.fourier(1)).field(VectorField.mlp(5))
                .weightNoise(new WeightNoise(new NormalDistribution(0, 0.1))).build())
                .hasMessageContaining("AugmentedOdeLayer 'a': weightNoise");
        // without a basis the augmented layer takes them
        new AugmentedOdeLayer.Builder().augmentation(Augmentation.zeros(1)).field(VectorField.mlp(5))
                .weightNoise(new DropConnect(0.9)).constrainWeights(new MaxNormConstraint(1, 0)).build();
    }

    @Test
    void halfPrecisionIsRefusedAtInitNamingTheLayerAndTheTypesItTakes() {
        MultiLayerNetwork net = new MultiLayerNetwork(network(g -> g.dataType(DataType.HALF), plain()));
        assertThatThrownBy(net::init)
                .isInstanceOf(DL4JInvalidConfigException.class)
                .hasMessageContaining("OdeLayer 'ode' (index 1)")
                .hasMessageContaining("data type HALF")
                .hasMessageContaining("FLOAT or DOUBLE");
    }

    @Test
    void bfloat16IsRefusedByDl4jItselfBeforeAnyLayerIsMade() {
        assertThatThrownBy(() -> new MultiLayerNetwork(network(g -> g.dataType(DataType.BFLOAT16), plain())).init())
                .hasMessageContaining("BFLOAT16");
    }

    @Test
    void anActivationOnTheLayerBuilderIsRefused() {
        assertThatThrownBy(() -> new OdeLayer.Builder().name("ode").field(VectorField.mlp(5))
                .activation(Activation.RELU).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OdeLayer 'ode': activation(relu) does not apply")
                .hasMessageContaining("VectorField.mlp(64).activation(Activation.RELU)");
    }

    @Test
    void everyKeptOptionSurvivesAJsonRoundTrip() {
        OdeLayer ode = new OdeLayer.Builder().name("ode").field(VectorField.mlp(5)).steps(2)
                .dropOut(new GaussianDropout(0.1)).weightNoise(new DropConnect(0.8))
                .constrainWeights(new MaxNormConstraint(1.5, 0)).l1(1e-4).l2(1e-3).l2Bias(1e-5)
                .updater(new Sgd(0.1)).biasUpdater(new Sgd(0.01))
                .gradientNormalization(GradientNormalization.ClipL2PerParamType).gradientNormalizationThreshold(0.7)
                .build();
        MultiLayerConfiguration conf = network(g -> g.constrainBias(new NonNegativeConstraint()), ode);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertThat(back).isEqualTo(conf);
        BaseOdeLayer restored = odeOf(back);
        assertThat(restored.getWeightNoise()).isEqualTo(new DropConnect(0.8));
        assertThat(restored.getIDropout()).isEqualTo(new GaussianDropout(0.1));
        assertThat(restored.getConstraints()).hasSize(1);
        assertThat(constrained(restored, MaxNormConstraint.class)).containsExactlyInAnyOrder("W0", "Wt", "W1");
        assertThat(restored.getGradientNormalization()).isEqualTo(GradientNormalization.ClipL2PerParamType);
        assertThat(List.of(restored.getIUpdater(), restored.getBiasUpdater())).containsExactly(new Sgd(0.1), new Sgd(0.01));
    }
}
