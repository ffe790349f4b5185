package org.dl4jnode.conf;

import org.deeplearning4j.exception.DL4JException;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What AugmentedOdeLayer and the input-reading options accept and reject, the sizes they pass on,
 * and the parameters they declare.
 */
class AugmentedOdeLayerConfigurationTest {

    private static AugmentedOdeLayer.Builder valid(Augmentation augmentation) {
        return new AugmentedOdeLayer.Builder().name("aug").field(VectorField.mlp(8)).augmentation(augmentation);
    }

    /** The nIn inferred for the layer after {@code layer} on an input of {@code d} features. */
    private static long nextNIn(BaseOdeLayer layer, int d) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(layer)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY)
                        .build())
                .setInputType(InputType.feedForward(d))
                .build();
        return ((OutputLayer) conf.getConf(1).getLayer()).getNIn();
    }

    @Test
    void theOutputIsTheWholeStateOrTheInputsOwnDims() {
        assertThat(nextNIn(valid(Augmentation.zeros(4)).build(), 3)).isEqualTo(7);
        assertThat(nextNIn(valid(Augmentation.inputLayer(2)).build(), 3)).isEqualTo(5);
        assertThat(nextNIn(valid(Augmentation.secondOrder()).build(), 3)).isEqualTo(6);
        assertThat(nextNIn(valid(Augmentation.secondOrder(1)).build(), 3)).isEqualTo(4);
        assertThat(nextNIn(valid(Augmentation.secondOrder()).keepAugmentedDims(false).build(), 3)).isEqualTo(3);
        assertThat(nextNIn(valid(Augmentation.zeros(4)).keepAugmentedDims(false).build(), 3)).isEqualTo(3);
    }

    @Test
    void theInputLayerComesFirstAndTheFieldSeesTheAugmentedState() {
        AugmentedOdeLayer layer = valid(Augmentation.inputLayer(2)).nIn(3).build();
        assertThat(layer.initializer().paramKeys(layer)).containsExactly("liftW", "liftb", "W0", "Wt", "b0", "W1", "b1");
        assertThat(layer.initializer().weightKeys(layer)).containsExactly("liftW", "W0", "Wt", "W1");
        assertThat(layer.trainableParams().get(0).shape()).containsExactly(3, 5);
        assertThat(layer.trainableParams().get(2).shape()).as("W0").containsExactly(5, 8);

        AugmentedOdeLayer extra = valid(Augmentation.inputLayer(2).onlyExtraDims()).nIn(3).build();
        assertThat(extra.trainableParams().get(0).shape()).as("liftW learns the 2 extra dims").containsExactly(3, 2);
        assertThat(valid(Augmentation.zeros(2)).nIn(3).build().initializer()
                .paramKeys(valid(Augmentation.zeros(2)).nIn(3).build())).doesNotContain("liftW");
    }

    @Test
    void aSecondOrderFieldOutputsOnlyWhatIsNotAVelocity() {
        // state [q1 q2 q3 v1]: f outputs dq2, dq3, dv1
        AugmentedOdeLayer layer = valid(Augmentation.secondOrder(1)).nIn(3).build();
        assertThat(layer.trainableParams().get(0).shape()).as("W0").containsExactly(4, 8);
        assertThat(layer.trainableParams().get(3).shape()).as("W1").containsExactly(8, 3);
    }

    @Test
    void dataControlAndAdaptiveDepthAddTheirInputsAndParameters() {
        OdeLayer layer = new OdeLayer.Builder().name("ode").field(VectorField.mlp(8)).dataControlled(true)
                .adaptiveDepth(5).nIn(3).build();
        assertThat(layer.trainableParams().get(0).shape()).as("W0 reads [h, x]").containsExactly(6, 8);
        assertThat(layer.initializer().paramKeys(layer)).endsWith("depthW0", "depthb0", "depthW1", "depthb1");
        assertThat(layer.trainableParams().get(layer.trainableParams().size() - 2).shape()).containsExactly(5, 1);
    }

    @Test
    void aFreshAdaptiveDepthStartsAtTheDepthOfTheTimeSpan() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new OdeLayer.Builder().field(VectorField.mlp(4)).adaptiveDepth(3).build())
                .setInputType(InputType.feedForward(2)).build());
        net.init();
        INDArray last = net.getLayer(0).getParam("depthW1");
        assertThat(last.sumNumber().doubleValue()).isZero();
        assertThat(net.getLayer(0).getParam("depthW0").norm2Number().doubleValue()).isPositive();
    }

    @Test
    void rejectsNegativeAndZeroSizes() {
        assertThatThrownBy(() -> Augmentation.zeros(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zeros(-1)").hasMessageContaining(">= 0");
        assertThatThrownBy(() -> Augmentation.inputLayer(-2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inputLayer(-2)");
        assertThatThrownBy(() -> Augmentation.secondOrder(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("secondOrder(0)").hasMessageContaining(">= 1");
    }

    @Test
    void rejectsVariantsOfTheWrongKind() {
        assertThatThrownBy(() -> Augmentation.zeros(2).onlyExtraDims()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("inputLayer");
        assertThatThrownBy(() -> Augmentation.inputLayer(2).velocityFromInputLayer())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("secondOrder");
    }

    @Test
    void rejectsASecondOrderSplitWiderThanTheInputAtBuildOrAtInference() {
        assertThatThrownBy(() -> valid(Augmentation.secondOrder(4)).nIn(3).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("AugmentedOdeLayer 'aug'").hasMessageContaining("secondOrder(4)")
                .hasMessageContaining("<= 3");
        assertThatThrownBy(() -> nextNIn(valid(Augmentation.secondOrder(4)).build(), 3))
                .isInstanceOf(DL4JException.class)
                .hasMessageContaining("AugmentedOdeLayer 'aug'").hasMessageContaining("secondOrder(4)");
    }

    @Test
    void rejectsAMissingAugmentation() {
        assertThatThrownBy(() -> new AugmentedOdeLayer.Builder().name("aug").field(VectorField.mlp(4)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("AugmentedOdeLayer 'aug'").hasMessageContaining("augmentation is required");
    }

    @Test
    void rejectsAdaptiveDepthWithABasis() {
        assertThatThrownBy(() -> new GalerkinOdeLayer.Builder().name("gal").field(VectorField.mlp(4))
                .basis(Basis.fourier(2)).adaptiveDepth(4).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("GalerkinOdeLayer 'gal'").hasMessageContaining("adaptiveDepth[4]");
        assertThatThrownBy(() -> valid(Augmentation.zeros(1)).basis(Basis.fourier(2)).adaptiveDepth(4).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("AugmentedOdeLayer 'aug'");
        assertThatThrownBy(() -> new OdeLayer.Builder().name("ode").field(VectorField.mlp(4)).adaptiveDepth(0)
                .build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OdeLayer 'ode'")
                .hasMessageContaining("adaptiveDepth[0]");
    }
}
