package org.dl4jnode.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Runtime of {@link org.dl4jnode.conf.OneDnnConvolutionLayer}: DL4J's convolution layer with its oneDNN helper
 * set, on the CPU backend, where DL4J 1.0.0-M2.1 leaves it unset (see the configuration class).
 */
public class OneDnnConvolutionLayer extends ConvolutionLayer {

    private static final long serialVersionUID = 1L;

    public OneDnnConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        if (helper == null && OneDnn.available()) {
            helper = new MKLDNNConvHelper(dataType);
        }
    }
}
