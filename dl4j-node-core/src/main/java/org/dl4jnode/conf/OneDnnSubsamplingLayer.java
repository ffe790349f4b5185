package org.dl4jnode.conf;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's {@link SubsamplingLayer} (pooling), configured and saved the same way, whose runtime layer uses DL4J's own
 * oneDNN helper ({@code MKLDNNSubsamplingHelper}) on the CPU backend, for the reason {@link OneDnnConvolutionLayer}
 * gives: DL4J 1.0.0-M2.1 never engages it. Where the helper declines, the layer computes exactly as DL4J's does.
 *
 * <pre>
 * new OneDnnSubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build()
 * </pre>
 */
public class OneDnnSubsamplingLayer extends SubsamplingLayer {

    private static final long serialVersionUID = 1L;

    /** For JSON. */
    public OneDnnSubsamplingLayer() {
    }

    protected OneDnnSubsamplingLayer(Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return LayerInstantiation.wire(new org.dl4jnode.layers.OneDnnSubsamplingLayer(conf, networkDataType), conf,
                listeners, layerIndex, layerParamsView, initializeParams, initializer());
    }

    /** DL4J's {@link SubsamplingLayer.Builder}; {@link #build()} makes a {@link OneDnnSubsamplingLayer}. */
    public static class Builder extends SubsamplingLayer.Builder {

        /** @param poolingType max, average, ... */
        public Builder(org.deeplearning4j.nn.conf.layers.PoolingType poolingType) {
            super(poolingType);
        }

        /** @param poolingType max, average, ... (the type nested in DL4J's layer) */
        public Builder(SubsamplingLayer.PoolingType poolingType) {
            super(poolingType);
        }

        @Override
        public OneDnnSubsamplingLayer build() {
            super.build(); // DL4J's validation
            return new OneDnnSubsamplingLayer(this);
        }
    }
}
