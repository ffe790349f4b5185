package org.dl4jnode.samediff.param;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * How a vector field's parameters are represented by trainable arrays.
 *
 * <p>{@link #DIRECT} stores each parameter as it is. A depth-varying parameterisation (Galerkin)
 * stores coefficient arrays instead and rebuilds the parameters at time t in the graph.
 */
public interface Parameterization {

    /** Every parameter is its own trainable array; the value does not depend on t. */
    Parameterization DIRECT = new Parameterization() {
        @Override
        public List<ParamSpec> trainable(List<ParamSpec> fieldParameters) {
            return fieldParameters;
        }

        @Override
        public ParameterSource source(SameDiff sd, Map<String, SDVariable> trainable) {
            return (key, t) -> {
                SDVariable v = trainable.get(key);
                if (v == null) {
                    throw new IllegalArgumentException("no parameter " + key + "; known: " + trainable.keySet());
                }
                return v;
            };
        }

        @Override
        public void initialize(List<ParamSpec> fieldParameters, Map<String, INDArray> trainable,
                               BiConsumer<ParamSpec, INDArray> ordinaryInit) {
            for (ParamSpec p : fieldParameters) {
                ordinaryInit.accept(p, trainable.get(p.key()));
            }
        }

        @Override
        public String toString() {
            return "direct";
        }
    };

    /** The trainable arrays that stand behind the field's parameters, in a fixed order. */
    List<ParamSpec> trainable(List<ParamSpec> fieldParameters);

    /** A source that builds the field's parameters in {@code sd} from the trainable variables. */
    ParameterSource source(SameDiff sd, Map<String, SDVariable> trainable);

    /**
     * Initialises the trainable arrays so that the field's parameters start as {@code ordinaryInit}
     * would set them (weight init, bias init, zero init: the caller's policy).
     *
     * @param fieldParameters the field's parameters
     * @param trainable       the arrays of {@link #trainable(List)} by key, written in place
     * @param ordinaryInit    initialises an array shaped like a field parameter
     */
    void initialize(List<ParamSpec> fieldParameters, Map<String, INDArray> trainable,
                    BiConsumer<ParamSpec, INDArray> ordinaryInit);
}
