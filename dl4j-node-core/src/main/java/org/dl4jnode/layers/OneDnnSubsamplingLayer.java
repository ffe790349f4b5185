package org.dl4jnode.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Runtime of {@link org.dl4jnode.conf.OneDnnSubsamplingLayer}: DL4J's pooling layer with its oneDNN helper set,
 * on the CPU backend, where DL4J 1.0.0-M2.1 leaves it unset.
 */
public class OneDnnSubsamplingLayer extends SubsamplingLayer {

    private static final long serialVersionUID = 1L;

    public OneDnnSubsamplingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        if (helper == null && OneDnn.available()) {
            helper = new MKLDNNSubsamplingHelper(dataType);
        }
    }
}
