package org.dl4jnode.conf;

import org.deeplearning4j.exception.DL4JInvalidConfigException;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ODE layers with a convolutional field in DL4J's configuration: input types, shapes, JSON, errors. */
class ConvOdeLayerConfigurationTest {

    private static MultiLayerConfiguration network(Layer ode, InputType input) {
        return new NeuralNetConfiguration.Builder().list()
                .layer(ode)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(input)
                .build();
    }

    @Test
    void takesImagesAndGivesTheSameImageTypeWithTheStateChannels() {
        OdeLayer plain = new OdeLayer.Builder().name("ode").field(VectorField.conv(8, 3)).build();
        InputType in = InputType.convolutional(7, 5, 4);
        MultiLayerConfiguration conf = network(plain, in);
        BaseOdeLayer configured = (BaseOdeLayer) conf.getConf(0).getLayer();
        assertThat(configured.getNIn()).isEqualTo(4);
        assertThat(configured.stateShape()).containsExactly(4, 7, 5);
        assertThat(configured.getOutputType(0, in)).isEqualTo(InputType.convolutional(7, 5, 4));

        AugmentedOdeLayer augmented = new AugmentedOdeLayer.Builder().name("ode").augmentation(Augmentation.zeros(2))
                .field(VectorField.conv(8, 3)).build();
        augmented.setNIn(in, true);
        assertThat(augmented.getOutputType(0, in)).isEqualTo(InputType.convolutional(7, 5, 6));
        assertThat(augmented.stateShape()).containsExactly(6, 7, 5);
    }

    @Test
    void flatImagesAreReshapedFirst() {
        MultiLayerConfiguration conf = network(new OdeLayer.Builder().field(VectorField.conv(4, 3)).build(),
                InputType.convolutionalFlat(6, 6, 1));
        assertThat(conf.getInputPreProcess(0)).isEqualTo(new FeedForwardToCnnPreProcessor(6, 6, 1));
    }

    @Test
    void aConvolutionalNetworkRoundTripsThroughJsonAndRuns() {
        MultiLayerConfiguration conf = network(new GalerkinOdeLayer.Builder().name("ode")
                .field(VectorField.conv(4, 3).zeroInitLast(true)).basis(Basis.fourier(2)).build(),
                InputType.convolutional(5, 5, 2));
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertThat(back).isEqualTo(conf);
        MultiLayerNetwork net = new MultiLayerNetwork(back);
        net.init();
        assertThat(net.output(Nd4j.rand(DataType.FLOAT, 3, 2, 5, 5)).shape()).containsExactly(3, 3);
    }

    @Test
    void aDeeperFieldRoundTripsThroughJsonAndRuns() {
        MultiLayerConfiguration conf = network(new OdeLayer.Builder().name("ode")
                .field(VectorField.cnn(3, 8, 8).kernels(1, 3, 1).activation(Activation.RELU).timeDependent(false))
                .build(), InputType.convolutional(5, 5, 2));
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertThat(back).isEqualTo(conf);
        MultiLayerNetwork net = new MultiLayerNetwork(back);
        net.init();
        assertThat(net.getLayer(0).numParams()).isEqualTo((2 * 8 + 8) + (9 * 8 * 8 + 8) + (8 * 2 + 2));
        assertThat(net.output(Nd4j.rand(DataType.FLOAT, 3, 2, 5, 5)).shape()).containsExactly(3, 3);
    }

    @Test
    void aOneHiddenLayerFieldReadsFromJsonWrittenBeforeDeeperFields() {
        MultiLayerConfiguration conf = network(new OdeLayer.Builder().name("ode").field(VectorField.conv(4, 3))
                .build(), InputType.convolutional(5, 5, 2));
        String json = conf.toJson();
        assertThat(json).as("one hidden layer is still written as a number").contains("\"hiddenChannels\" : 4,");
        String kernels = "\"kernels\" : [ 3, 3 ]";
        assertThat(json).contains(kernels);
        // the 0.1.0 form: one "kernel" for both convolutions
        MultiLayerConfiguration old = MultiLayerConfiguration.fromJson(json.replace(kernels, "\"kernel\" : 3"));
        assertThat(old).isEqualTo(conf);
    }

    @Test
    void rejectsVectorInputNamingTheLayerAndTheType() {
        assertThatThrownBy(() -> network(new OdeLayer.Builder().name("ode").field(VectorField.conv(4, 3)).build(),
                InputType.feedForward(10)))
                .isInstanceOf(DL4JInvalidConfigException.class)
                .hasMessageContaining("OdeLayer 'ode'").hasMessageContaining("needs image input")
                .hasMessageContaining("InputTypeFeedForward(10)");
    }

    @Test
    void rejectsChannelsLastImages() {
        assertThatThrownBy(() -> network(new OdeLayer.Builder().name("ode").field(VectorField.conv(4, 3)).build(),
                InputType.convolutional(5, 5, 2, CNN2DFormat.NHWC)))
                .isInstanceOf(DL4JInvalidConfigException.class)
                .hasMessageContaining("reads NCHW images");
    }

    @Test
    void rejectsLearnedLiftsAndAdaptiveDepthWithAnImageField() {
        assertThatThrownBy(() -> new AugmentedOdeLayer.Builder().name("ode").augmentation(Augmentation.inputLayer(2))
                .field(VectorField.conv(4, 3)).build())
                .hasMessageContaining("AugmentedOdeLayer 'ode'").hasMessageContaining("inputLayer(2)")
                .hasMessageContaining("use zeros(k)");
        assertThatThrownBy(() -> new OdeLayer.Builder().name("ode").field(VectorField.conv(4, 3)).adaptiveDepth(4)
                .build())
                .hasMessageContaining("OdeLayer 'ode'").hasMessageContaining("adaptiveDepth[4] needs a feed-forward field");
    }

    @Test
    void rejectsEvenKernels() {
        assertThatThrownBy(() -> VectorField.conv(4, 2)).hasMessageContaining("kernel sizes must be odd");
    }
}
