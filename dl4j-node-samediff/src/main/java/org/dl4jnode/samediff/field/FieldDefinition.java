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
}
