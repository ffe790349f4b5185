package org.dl4jnode.layers;

import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.samediff.system.OdeSystem;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * The integration depth each example gets in an ODE layer with {@code adaptiveDepth(...)} (seed 002, section 5):
 * {@code T(x) = |1 + g(x)|}, g the layer's depth network on its input x, with the layer's current parameters. Example
 * i is integrated from t0 to {@code t0 + T(x_i) (t1 - t0)} (on the default span [0, 1]: to depth T(x_i)), which the
 * layer solves on its own span [t0, t1] by rescaling time; so its state at a solve time s is the state at depth
 * {@code t0 + T(x_i) (s - t0)}. For pictures and analysis.
 */
public final class IntegrationDepths {

    private IntegrationDepths() {
    }

    /**
     * @param layer a runtime ODE layer whose configuration has {@code adaptiveDepth(...)}
     * @param x     a minibatch of the layer's input, {@code [minibatch, nIn]} (any further columns, such as
     *              {@code outputTimesFromInput}'s times, are ignored)
     * @return T(x) for each example, as a multiple of the span's length
     * @throws IllegalArgumentException when the layer has no adaptive depth or x is not a matrix of at least nIn columns
     */
    public static double[] of(OdeLayer layer, INDArray x) {
        BaseOdeLayer conf = layer.layerConf();
        OdeSystem system = conf.odeSystem();
        String where = conf.describe() + " (index " + layer.getIndex() + ")";
        if (!system.hasAdaptiveDepth()) {
            throw new IllegalArgumentException(where + ": has no adaptive depth; every example is integrated over the "
                    + "span [" + conf.getTimeStart() + ", " + conf.getTimeEnd() + "]");
        }
        long n = system.layerInputSize();
        if (x.rank() != 2 || x.size(1) < n) {
            throw new IllegalArgumentException(where + ": the input must be [minibatch, " + n + "], got "
                    + Arrays.toString(x.shape()));
        }
        DataType type = layer.params().dataType();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            SameDiff sd = SameDiff.create();
            SDVariable input = sd.constant("input", x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, n))
                    .castTo(type).dup());
            SDVariable t = sd.constant("t", Nd4j.scalar(type, conf.getTimeStart()));
            SDVariable depth = system.defineDepth(sd, t, input, (key, at) -> sd.constant(key, layer.getParam(key)
                    .dup()));
            return depth.eval().castTo(DataType.DOUBLE).reshape(x.size(0)).toDoubleVector();
        }
    }
}
