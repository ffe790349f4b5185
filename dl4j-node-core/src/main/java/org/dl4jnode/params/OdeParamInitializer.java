package org.dl4jnode.params;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInitXavier;
import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.samediff.param.ParamSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Parameters of the ODE layers: the trainable arrays of {@link BaseOdeLayer#trainableParams()}, laid
 * out one after another in the layer's flat parameter view, each reshaped in 'f' order (as DL4J's
 * own layers do).
 *
 * <p>The input layer of an augmentation comes first, then the arrays behind the field (and depth
 * network). The field's weights take the layer's weight init with the fan-in/fan-out of the field layer
 * they belong to, its biases the layer's bias init; parameters marked zero-init start at zero. The
 * layer's parameterisation places those values in its trainable arrays (as they are, or in the
 * constant mode of Galerkin coefficients).
 */
public final class OdeParamInitializer implements ParamInitializer {

    private static final OdeParamInitializer INSTANCE = new OdeParamInitializer();

    private OdeParamInitializer() {
    }

    public static OdeParamInitializer getInstance() {
        return INSTANCE;
    }

    private static BaseOdeLayer ode(Layer layer) {
        if (!(layer instanceof BaseOdeLayer ode)) {
            throw new IllegalArgumentException("OdeParamInitializer serves ODE layers only, got " + layer);
        }
        return ode;
    }

    private static List<ParamSpec> specs(Layer layer) {
        return ode(layer).trainableParams();
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        return specs(layer).stream().mapToLong(ParamSpec::length).sum();
    }

    /** The keys, known before nIn is (see {@link BaseOdeLayer#parameterKeys()}). */
    private static Map<String, Boolean> keys(Layer layer) {
        return ode(layer).parameterKeys();
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return List.copyOf(keys(layer).keySet());
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return keys(layer).entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return keys(layer).entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return Boolean.FALSE.equals(keys(layer).get(key));
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return Boolean.TRUE.equals(keys(layer).get(key));
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        BaseOdeLayer layer = (BaseOdeLayer) conf.getLayer();
        Map<String, INDArray> views = views(layer, paramsView);
        // DL4J's optimisers other than SGD (line search, L-BFGS, CG) and summary() read the parameters through
        // the configuration's variable list, as its own initialisers register them
        views.keySet().forEach(conf::addVariable);
        if (initializeParams) {
            IWeightInit weightInit = layer.getWeightInitFn() == null ? new WeightInitXavier() : layer.getWeightInitFn();
            double biasInit = Double.isNaN(layer.getBiasInit()) ? 0.0 : layer.getBiasInit();
            BiConsumer<ParamSpec, INDArray> ordinaryInit = (p, array) -> {
                if (p.zeroInit()) {
                    array.assign(0);
                } else if (p.bias()) {
                    array.assign(biasInit);
                } else {
                    weightInit.init(p.fanIn(), p.fanOut(), p.shape(), 'f', array);
                }
            };
            for (ParamSpec p : layer.augmentation().parameters(layer.getNIn())) {
                ordinaryInit.accept(p, views.get(p.key()));
            }
            layer.parameterization().initialize(layer.odeSystem().parameters(), views, ordinaryInit);
        }
        return views;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views((BaseOdeLayer) conf.getLayer(), gradientView);
    }

    private static Map<String, INDArray> views(BaseOdeLayer layer, INDArray flat) {
        List<ParamSpec> specs = layer.trainableParams();
        long expected = specs.stream().mapToLong(ParamSpec::length).sum();
        if (flat.length() != expected) {
            throw new IllegalStateException(layer.describe() + ": parameter view has length " + flat.length()
                    + ", expected " + expected);
        }
        INDArray row = flat.reshape(1, flat.length());
        Map<String, INDArray> out = new LinkedHashMap<>();
        long offset = 0;
        for (ParamSpec p : specs) {
            INDArray slice = row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(offset, offset + p.length()));
            out.put(p.key(), slice.reshape('f', p.shape()));
            offset += p.length();
        }
        return out;
    }
}
