package org.dl4jnode.samediff.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collections;
import java.util.Map;

/**
 * What a solve reads besides its state: the trainable arrays (dense in 'c' order, in the field's
 * data type, read by reference) and, for a system that reads it, the layer's input. Made by
 * {@link FieldFunction#bind} and {@link FieldFunction#bindInput}; a tape, and so a
 * {@link Solution}, keeps the binding it was made with, so that a later bind (another solve, a
 * trajectory for a picture) cannot change what its backward pass reads.
 */
public final class Binding {

    static final Binding EMPTY = new Binding(Map.of(), null);

    private final Map<String, INDArray> params;
    private final INDArray input;

    Binding(Map<String, INDArray> params, INDArray input) {
        this.params = Collections.unmodifiableMap(params);
        this.input = input;
    }

    /** The trainable arrays by key. */
    public Map<String, INDArray> params() {
        return params;
    }

    /** The bound layer input, or null. */
    public INDArray input() {
        return input;
    }

    /** The same parameters with the layer input {@code x}. */
    Binding withInput(INDArray x) {
        return new Binding(params, x);
    }

    INDArray requireInput() {
        if (input == null) {
            throw new IllegalStateException("this field reads the layer's input; bind it with bindInput first");
        }
        return input;
    }
}
