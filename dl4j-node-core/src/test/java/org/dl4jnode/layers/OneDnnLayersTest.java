package org.dl4jnode.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jnode.conf.OneDnnConvolutionLayer;
import org.dl4jnode.conf.OneDnnSubsamplingLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.io.IOException;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DL4J's convolution and pooling layers with their oneDNN helpers engaged: the helpers run, and the layers compute
 * what DL4J's own layers compute, in JSON and saved models as in training.
 */
class OneDnnLayersTest {

    private static MultiLayerConfiguration network(boolean oneDnn, DataType type) {
        return network(oneDnn, type, Activation.TANH);
    }

    private static MultiLayerConfiguration network(boolean oneDnn, DataType type, Activation activation) {
        ConvolutionLayer.Builder conv = oneDnn ? new OneDnnConvolutionLayer.Builder(3, 3) : new ConvolutionLayer.Builder(3, 3);
        SubsamplingLayer.Builder pool = oneDnn ? new OneDnnSubsamplingLayer.Builder(PoolingType.MAX)
                : new SubsamplingLayer.Builder(PoolingType.MAX);
        return new NeuralNetConfiguration.Builder()
                .seed(3).dataType(type).weightInit(WeightInit.XAVIER).updater(new NoOp())
                .list()
                .layer(conv.nOut(4).convolutionMode(ConvolutionMode.Same).activation(activation).build())
                .layer(pool.kernelSize(2, 2).stride(2, 2).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 2))
                .build();
    }

    /** A convolution of one input channel, the case {@link SingleChannelConvolutionBackward} computes. */
    record SingleChannel(ConvolutionMode mode, int kernel, int padding) {
        MultiLayerConfiguration network(boolean oneDnn, DataType type) {
            ConvolutionLayer.Builder conv = oneDnn ? new OneDnnConvolutionLayer.Builder(kernel, kernel)
                    : new ConvolutionLayer.Builder(kernel, kernel);
            if (mode != ConvolutionMode.Same) {
                conv.padding(padding, padding);
            }
            SubsamplingLayer.Builder pool = oneDnn ? new OneDnnSubsamplingLayer.Builder(PoolingType.MAX)
                    : new SubsamplingLayer.Builder(PoolingType.MAX);
            return new NeuralNetConfiguration.Builder()
                    .seed(5).dataType(type).weightInit(WeightInit.XAVIER).updater(new NoOp())
                    .list()
                    .layer(conv.nOut(4).convolutionMode(mode).activation(Activation.RELU).build())
                    .layer(pool.kernelSize(2, 2).stride(2, 2).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutional(7, 7, 1))
                    .build();
        }
    }

    static Stream<SingleChannel> singleChannelConvolutions() {
        return Stream.of(new SingleChannel(ConvolutionMode.Same, 3, 0), new SingleChannel(ConvolutionMode.Same, 5, 0),
                new SingleChannel(ConvolutionMode.Truncate, 3, 0), new SingleChannel(ConvolutionMode.Truncate, 3, 1),
                new SingleChannel(ConvolutionMode.Truncate, 4, 2),
                // an even kernel in Same mode pads one side more: DL4J's path
                new SingleChannel(ConvolutionMode.Same, 2, 0));
    }

    private static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static INDArray labels(DataType type) {
        INDArray labels = Nd4j.zeros(type, 5, 3);
        for (int i = 0; i < 5; i++) {
            labels.putScalar(i, i % 3, 1.0);
        }
        return labels;
    }

    @Test
    void theHelpersAreEngagedOnTheCpuBackend() {
        MultiLayerNetwork net = init(network(true, DataType.FLOAT));
        assertThat(net.getLayer(0)).isInstanceOf(org.dl4jnode.layers.OneDnnConvolutionLayer.class);
        assertThat(((org.deeplearning4j.nn.layers.convolution.ConvolutionLayer) net.getLayer(0)).getHelper())
                .isInstanceOf(MKLDNNConvHelper.class);
        assertThat(((org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer) net.getLayer(1))
                .getHelper()).isInstanceOf(MKLDNNSubsamplingHelper.class);
        MultiLayerNetwork plain = init(network(false, DataType.FLOAT));
        assertThat(((org.deeplearning4j.nn.layers.convolution.ConvolutionLayer) plain.getLayer(0)).getHelper())
                .as("DL4J 1.0.0-M2.1 leaves it unset: if this fails, DL4J engages it again and the classes can go")
                .isNull();
    }

    /** Tanh recomputes z in the backward pass; ReLU and the identity read it from the kept output. */
    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"TANH", "RELU", "IDENTITY"})
    void outputsAndGradientsAreDl4jsInFloat(Activation activation) {
        MultiLayerNetwork oneDnn = init(network(true, DataType.FLOAT, activation));
        MultiLayerNetwork plain = init(network(false, DataType.FLOAT, activation));
        plain.setParams(oneDnn.params().dup());
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 2, 6, 6).subi(0.5);
        assertClose(oneDnn.output(x), plain.output(x), "output");

        oneDnn.setInput(x);
        oneDnn.setLabels(labels(DataType.FLOAT));
        plain.setInput(x);
        plain.setLabels(labels(DataType.FLOAT));
        oneDnn.computeGradientAndScore();
        plain.computeGradientAndScore();
        Gradient expected = plain.gradient();
        oneDnn.gradient().gradientForVariable().forEach((key, g) ->
                assertClose(g, expected.getGradientFor(key), "gradient of " + key));
    }

    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"TANH", "RELU", "IDENTITY"})
    void gradientsAreExactInDouble(Activation activation) {
        assertGradientsExactInDouble(type -> network(true, type, activation), 5, 2, 6, 6);
    }

    @Test
    void aBackwardPassAfterANewInputDoesNotReadTheOldOutput() {
        MultiLayerNetwork oneDnn = init(network(true, DataType.FLOAT, Activation.RELU));
        MultiLayerNetwork plain = init(network(false, DataType.FLOAT, Activation.RELU));
        plain.setParams(oneDnn.params().dup());
        INDArray first = Nd4j.rand(DataType.FLOAT, 5, 2, 6, 6).subi(0.5);
        INDArray second = Nd4j.rand(DataType.FLOAT, 5, 2, 6, 6).subi(0.5);
        INDArray epsilon = Nd4j.rand(DataType.FLOAT, 5, 4, 6, 6).subi(0.5);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        oneDnn.initGradientsView();
        plain.initGradientsView();

        Layer layer = oneDnn.getLayer(0);
        layer.setInput(first, mgr);
        layer.activate(true, mgr);
        layer.setInput(second, mgr);
        Pair<Gradient, INDArray> actual = layer.backpropGradient(epsilon, mgr);

        Layer reference = plain.getLayer(0);
        reference.setInput(second, mgr);
        reference.activate(true, mgr);
        Pair<Gradient, INDArray> expected = reference.backpropGradient(epsilon, mgr);
        assertClose(actual.getSecond(), expected.getSecond(), "input gradient");
        actual.getFirst().gradientForVariable().forEach((key, g) ->
                assertClose(g, expected.getFirst().getGradientFor(key), "gradient of " + key));
    }

    /**
     * {@link #singleChannelConvolutions()}, and padding as wide as the kernel: the border's outputs see only
     * padding, so their pre-activation is the bias, 0 at initialisation, where ReLU has its kink (no gradient
     * check there).
     */
    static Stream<SingleChannel> singleChannelConvolutionsAndWidePadding() {
        return Stream.concat(singleChannelConvolutions(), Stream.of(new SingleChannel(ConvolutionMode.Truncate, 3, 3)));
    }

    /** Outputs, parameter gradients and the gradient with respect to the network's input, against DL4J's. */
    @ParameterizedTest
    @MethodSource("singleChannelConvolutionsAndWidePadding")
    void singleChannelConvolutionsMatchDl4jInFloatAndDouble(SingleChannel c) {
        DataType before = Nd4j.dataType();
        try {
            for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                Nd4j.setDefaultDataTypes(type, type);
                MultiLayerNetwork oneDnn = init(c.network(true, type));
                MultiLayerNetwork plain = init(c.network(false, type));
                plain.setParams(oneDnn.params().dup());
                INDArray x = Nd4j.rand(type, 5, 1, 7, 7).subi(0.5);
                assertClose(oneDnn.output(x), plain.output(x), type + " output");

                Pair<Gradient, INDArray> actual = oneDnn.calculateGradients(x, labels(type), null, null);
                Pair<Gradient, INDArray> expected = plain.calculateGradients(x, labels(type), null, null);
                double tolerance = type == DataType.FLOAT ? 1e-4 : 1e-10;
                assertClose(actual.getSecond(), expected.getSecond(), type + " input gradient", tolerance);
                actual.getFirst().gradientForVariable().forEach((key, g) -> assertClose(g,
                        expected.getFirst().getGradientFor(key), type + " gradient of " + key, tolerance));
            }
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
    }

    @ParameterizedTest
    @MethodSource("singleChannelConvolutions")
    void singleChannelGradientsAreExactInDouble(SingleChannel c) {
        assertGradientsExactInDouble(type -> c.network(true, type), 5, 1, 7, 7);
    }

    /** DL4J's gradient check in double of the oneDNN network {@code conf} gives, on random inputs of {@code shape}. */
    private static void assertGradientsExactInDouble(Function<DataType, MultiLayerConfiguration> conf, long... shape) {
        DataType before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            MultiLayerNetwork net = init(conf.apply(DataType.DOUBLE));
            boolean exact = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net)
                    .input(Nd4j.rand(DataType.DOUBLE, shape).subi(0.5)).labels(labels(DataType.DOUBLE))
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
            assertThat(exact).isTrue();
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
    }

    @Test
    void theSingleChannelDecompositionAppliesOnlyWhereItIsExact() {
        INDArray image = Nd4j.create(DataType.FLOAT, 2, 1, 7, 7);
        int[] one = {1, 1};
        assertThat(SingleChannelConvolutionBackward.appliesTo(image, Nd4j.create(DataType.FLOAT, 2, 4, 7, 7),
                new int[] {3, 3}, one, one, one)).as("Same, 3x3").isTrue();
        assertThat(SingleChannelConvolutionBackward.appliesTo(image, Nd4j.create(DataType.FLOAT, 2, 4, 5, 5),
                new int[] {3, 3}, one, one, new int[] {0, 0})).as("no padding").isTrue();
        assertThat(SingleChannelConvolutionBackward.appliesTo(Nd4j.create(DataType.FLOAT, 2, 2, 7, 7),
                Nd4j.create(DataType.FLOAT, 2, 4, 7, 7), new int[] {3, 3}, one, one, one))
                .as("two input channels").isFalse();
        assertThat(SingleChannelConvolutionBackward.appliesTo(image, Nd4j.create(DataType.FLOAT, 2, 4, 4, 4),
                new int[] {3, 3}, new int[] {2, 2}, one, one)).as("stride 2").isFalse();
        assertThat(SingleChannelConvolutionBackward.appliesTo(image, Nd4j.create(DataType.FLOAT, 2, 4, 7, 7),
                new int[] {3, 3}, one, new int[] {2, 2}, one)).as("dilation 2").isFalse();
        assertThat(SingleChannelConvolutionBackward.appliesTo(image, Nd4j.create(DataType.FLOAT, 2, 4, 7, 7),
                new int[] {2, 2}, one, one, new int[] {0, 0})).as("Same with an even kernel: one side padded")
                .isFalse();
    }

    @Test
    void jsonAndSavedModelsKeepTheLayersAndTheirHelpers(@TempDir File dir) throws IOException {
        MultiLayerConfiguration conf = network(true, DataType.FLOAT);
        MultiLayerConfiguration fromJson = MultiLayerConfiguration.fromJson(conf.toJson());
        assertThat(fromJson).isEqualTo(conf);
        assertThat(fromJson.getConf(0).getLayer()).isInstanceOf(OneDnnConvolutionLayer.class);
        assertThat(fromJson.getConf(1).getLayer()).isInstanceOf(OneDnnSubsamplingLayer.class);

        MultiLayerNetwork net = init(conf);
        File file = new File(dir, "net.zip");
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file);
        assertThat(((org.deeplearning4j.nn.layers.convolution.ConvolutionLayer) restored.getLayer(0)).getHelper())
                .isInstanceOf(MKLDNNConvHelper.class);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 2, 6, 6);
        assertThat(restored.output(x)).isEqualTo(net.output(x));
    }

    /** Within 1e-4 of the largest magnitude (at least 1e-3): float, and another order of summation. */
    private static void assertClose(INDArray actual, INDArray expected, String what) {
        assertClose(actual, expected, what, 1e-4);
    }

    /** Within {@code tolerance} of the largest magnitude (at least 1e-3). */
    private static void assertClose(INDArray actual, INDArray expected, String what, double tolerance) {
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        assertThat(actual.sub(expected).amaxNumber().doubleValue()).as(what).isLessThanOrEqualTo(tolerance * scale);
    }
}
