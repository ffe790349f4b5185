package org.dl4jnode.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * Axis 1 of the layer's arrays: the features of {@code [mb, d]} vectors or the channels of
 * {@code [mb, c, h, w]} images, where a state is lifted, cut back to the output and given its
 * quadrature channels.
 */
final class ChannelAxis {

    private ChannelAxis() {
    }

    /** Dims {@code [from, to)} along axis 1, a view. */
    static INDArray range(INDArray a, long from, long to) {
        INDArrayIndex[] index = new INDArrayIndex[a.rank()];
        Arrays.fill(index, NDArrayIndex.all());
        index[1] = NDArrayIndex.interval(from, to);
        return a.get(index);
    }

    /** {@code a} followed by {@code extra} dims of zeros along axis 1, a new array. */
    static INDArray withZeros(INDArray a, long extra) {
        // shape() hands out ND4J's own array, shared by every array of that shape: copy before changing it
        long[] shape = a.shape().clone();
        shape[1] = extra;
        return Nd4j.concat(1, a, Nd4j.zeros(a.dataType(), shape));
    }
}
