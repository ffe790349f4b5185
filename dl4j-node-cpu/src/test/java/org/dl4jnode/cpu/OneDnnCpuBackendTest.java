package org.dl4jnode.cpu;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.nativeblas.NativeOpsHolder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On a JVM started without any flag (this module's tests run so), the module's presence alone loads libnd4j's
 * oneDNN build and gives DL4J's own convolution and pooling layers their oneDNN helpers, with the results of
 * DL4J's own path.
 */
class OneDnnCpuBackendTest {

    @Test
    void theOneDnnBuildIsLoadedWithoutAJvmFlag() {
        Nd4j.create(1);
        assertThat(Nd4j.getBackend()).isInstanceOf(OneDnnCpuBackend.class);
        assertThat(System.getProperty(OneDnnCpuBackend.EXTENSION_PROPERTY)).isEqualTo(OneDnnCpuBackend.ONEDNN);
        assertThat(NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo().toLowerCase())
                .as("libnd4j's build information").contains("onednn");
    }

    @Test
    void dl4jsOwnConvolutionAndPoolingLayersRunOnOneDnnWithDl4jsResults() {
        MultiLayerNetwork fast = network();
        assertThat(fast.getLayer(0).getHelper()).isInstanceOf(MKLDNNConvHelper.class);
        assertThat(fast.getLayer(1).getHelper()).isInstanceOf(MKLDNNSubsamplingHelper.class);
        MultiLayerNetwork reference;
        Nd4j.getEnvironment().allowHelpers(false);
        try {
            reference = network();
        } finally {
            Nd4j.getEnvironment().allowHelpers(true);
        }
        assertThat(reference.getLayer(0).getHelper()).as("helpers disallowed: DL4J's own path").isNull();
        reference.setParams(fast.params());
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 1, 12, 12);
        INDArray expected = reference.output(x);
        INDArray actual = fast.output(x);
        assertThat(actual.equalsWithEps(expected, 1e-5)).as("outputs, oneDNN against DL4J's path").isTrue();
        INDArray labels = Nd4j.eye(3).castTo(DataType.FLOAT).getRows(0, 1, 2, 0, 1, 2, 0, 1);
        for (MultiLayerNetwork net : new MultiLayerNetwork[] {fast, reference}) {
            net.setInput(x);
            net.setLabels(labels);
            net.computeGradientAndScore();
        }
        assertThat(fast.gradient().gradient().equalsWithEps(reference.gradient().gradient(), 1e-5))
                .as("parameter gradients, oneDNN against DL4J's path").isTrue();
    }

    private static MultiLayerNetwork network() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0.1))
                .dataType(DataType.FLOAT)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(12, 12, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
