package org.dl4jnode.samediff.field;

import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.ParameterSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.shade.jackson.annotation.JsonTypeInfo;

import java.io.Serializable;
import java.util.List;

/**
 * A vector field f(t, h) defined as SameDiff ops.
 *
 * <p>Implementations are immutable values, serialisable to JSON (they travel inside DL4J layer
 * configurations), and build the same graph every time they are asked.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, include = JsonTypeInfo.As.PROPERTY, property = "@class")
public interface FieldDefinition extends Serializable {

    /**
     * The parameters of f for a state of {@code stateSize} features (channels for a convolutional
     * field), in a fixed order.
     */
    List<ParamSpec> parameters(long stateSize);

    /**
     * Defines {@code f(t, h)} in {@code sd}.
     *
     * @param t      a scalar variable, the time
     * @param h      the state, {@code [minibatch, stateSize]} (feed-forward fields)
     * @param params where each parameter comes from; ask it for every parameter on every call
     * @return a variable of the same shape as {@code h}
     */
    SDVariable define(SameDiff sd, SDVariable t, SDVariable h, ParameterSource params);

    /** The rank of state this field takes, including the minibatch dimension (2 for an MLP). */
    int stateRank();
}
