package org.dl4jnode.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dl4jnode.conf.BaseOdeLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameter side of DL4J's {@code Layer} for an ODE layer, which DL4J's {@code BaseLayer} would
 * give a layer of W and b: the flat parameter and gradient views DL4J hands over, the table of views
 * into them by key (as {@link org.dl4jnode.params.OdeParamInitializer} lays them out), DL4J's weight
 * noise drawn from them, and the score of DL4J's L1/L2/weight-decay regularisation on them.
 */
abstract class ParameterTableLayer extends AbstractLayer<BaseOdeLayer> {

    private static final long serialVersionUID = 1L;

    protected INDArray paramsFlat;
    protected INDArray gradientsFlat;
    protected Map<String, INDArray> params;
    protected Map<String, INDArray> gradientViews;

    ParameterTableLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** DL4J's regularisation of the parameters, scored on their current values. */
    protected double parameterRegularizationScore() {
        // DL4J's lookup by parameter asks the parameter initializer which keys are weights, which builds the
        // parameter list anew: at every iteration, so only when some regularization is configured
        BaseOdeLayer conf = layerConf();
        boolean any = (conf.getRegularization() != null && !conf.getRegularization().isEmpty())
                || (conf.getRegularizationBias() != null && !conf.getRegularizationBias().isEmpty());
        double score = 0;
        if (any) {
            for (Map.Entry<String, INDArray> e : params.entrySet()) {
                List<Regularization> regs = conf.getRegularizationByParam(e.getKey());
                if (regs != null) {
                    for (Regularization r : regs) {
                        score += r.score(e.getValue(), getIterationCount(), getEpochCount());
                    }
                }
            }
        }
        return score;
    }

    /**
     * The parameters a training pass reads: the layer's own, or with DL4J's weight noise
     * ({@code DropConnect}, {@code WeightNoise}) a fresh draw from them, as DL4J's layers use it: the
     * forward and backward passes both see the noisy weights, and their gradient updates the weights.
     */
    protected Map<String, INDArray> paramsWithWeightNoise() {
        IWeightNoise noise = layerConf().getWeightNoise();
        if (noise == null) {
            return params;
        }
        Map<String, INDArray> noisy = new LinkedHashMap<>();
        params.forEach((key, value) -> noisy.put(key, noise.getParameter(this, key, getIterationCount(),
                getEpochCount(), true, LayerWorkspaceMgr.noWorkspaces())));
        return noisy;
    }

    @Override
    public INDArray params() {
        return paramsFlat;
    }

    @Override
    public long numParams() {
        return paramsFlat == null ? 0 : paramsFlat.length();
    }

    @Override
    public INDArray getParam(String key) {
        return params.get(key);
    }

    @Override
    public void setParam(String key, INDArray value) {
        INDArray current = params.get(key);
        if (current == null) {
            throw new IllegalArgumentException(layerConf().describe() + ": no parameter '" + key + "'; parameters are "
                    + params.keySet());
        }
        if (!Arrays.equals(current.shape(), value.shape())) {
            throw new IllegalArgumentException(layerConf().describe() + ": parameter '" + key + "' has shape "
                    + Arrays.toString(current.shape()) + ", cannot set an array of shape "
                    + Arrays.toString(value.shape()));
        }
        current.assign(value);
    }

    @Override
    public void setParams(INDArray params) {
        if (params == paramsFlat) {
            return;
        }
        if (params == null || params.length() != numParams()) {
            throw new IllegalArgumentException(layerConf().describe() + ": expected " + numParams()
                    + " parameters, got " + (params == null ? "null" : params.length()));
        }
        paramsFlat.assign(params.reshape(paramsFlat.shape()));
    }

    @Override
    public void setParamsViewArray(INDArray params) {
        this.paramsFlat = params;
    }

    @Override
    public INDArray getGradientsViewArray() {
        return gradientsFlat;
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray gradients) {
        this.gradientsFlat = gradients;
        this.gradientViews = layerConf().initializer().getGradientsFromFlattened(conf, gradients);
    }

    @Override
    public void setParamTable(Map<String, INDArray> paramTable) {
        if (params == null) {
            params = paramTable;
        } else {
            paramTable.forEach(this::setParam);
        }
    }

    @Override
    public Map<String, INDArray> paramTable() {
        return params;
    }

    @Override
    public Map<String, INDArray> paramTable(boolean backpropParamsOnly) {
        return params;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }
}
