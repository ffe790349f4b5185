package org.dl4jnode.samediff.field;

import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.ParameterSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.shade.jackson.annotation.JsonTypeInfo;
import org.nd4j.shade.jackson.databind.annotation.JsonTypeIdResolver;

import java.io.Serializable;
import java.util.List;

/**
 * A vector field f(t, h) defined as SameDiff ops.
 *
 * <p>Implementations are immutable values, serialisable to JSON (they travel inside DL4J layer
 * configurations), and build the same graph every time they are asked.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CUSTOM, include = JsonTypeInfo.As.PROPERTY, property = "@class")
@JsonTypeIdResolver(FieldTypeIds.class)
public interface FieldDefinition extends Serializable {

    /**
     * The parameters of f for an input of {@code inputSize} features and an output of
     * {@code outputSize} (channels for a convolutional field), in a fixed order. The two differ when
     * the field also reads a control input or outputs only part of the state's derivative (see
     * {@code org.dl4jnode.samediff.system.OdeSystem}).
     */
    List<ParamSpec> parameters(long inputSize, long outputSize);

    /** The parameters of an ordinary field on a state of {@code stateSize} features: in = out = state. */
    default List<ParamSpec> parameters(long stateSize) {
        return parameters(stateSize, stateSize);
    }

    /**
     * Defines {@code f(t, h)} in {@code sd}.
     *
     * @param t      the time: a scalar variable, or {@code [minibatch, 1]} when every example has its
     *               own time (adaptive depth)
     * @param h      the field's input, {@code [minibatch, inputSize]} for feed-forward fields or
     *               {@code [minibatch, inputSize, height, width]} for image fields ({@link #stateRank()} 4)
     * @param params where each parameter comes from; ask it for every parameter on every call
     * @return {@code [minibatch, outputSize, ...]}, shaped like h but for the sizes of
     *         {@link #parameters(long, long)}
     */
    SDVariable define(SameDiff sd, SDVariable t, SDVariable h, ParameterSource params);

    /** The rank of state this field takes, including the minibatch dimension (2 for an MLP, 4 for a conv field). */
    int stateRank();

    /**
     * True when this field defines its Jacobian-vector product ({@link #defineWithTangent}), which
     * the Jacobian regulariser needs. Default false, for fields of users' own.
     */
    default boolean hasJacobianProduct() {
        return false;
    }

    /**
     * Defines {@code f(t, h)} and the Jacobian-vector product {@code (df/dh) v} in {@code sd}, sharing
     * f's ops, with ops SameDiff can differentiate again (so a penalty on the product trains).
     *
     * @param v the tangent, shaped like h
     * @return f's value and tangent, both shaped like f's output
     * @throws UnsupportedOperationException when {@link #hasJacobianProduct()} is false
     */
    default FieldWithTangent defineWithTangent(SameDiff sd, SDVariable t, SDVariable h, SDVariable v,
                                               ParameterSource params) {
        throw new UnsupportedOperationException("vector field " + this + " does not define its Jacobian-vector "
                + "product");
    }
}
