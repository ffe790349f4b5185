package org.dl4jnode.samediff.param;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;

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
        public String toString() {
            return "direct";
        }
    };

    /** The trainable arrays that stand behind the field's parameters, in a fixed order. */
    List<ParamSpec> trainable(List<ParamSpec> fieldParameters);

    /** A source that builds the field's parameters in {@code sd} from the trainable variables. */
    ParameterSource source(SameDiff sd, Map<String, SDVariable> trainable);
}
