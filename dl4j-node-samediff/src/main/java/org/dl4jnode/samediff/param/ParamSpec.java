package org.dl4jnode.samediff.param;

import java.util.Arrays;
import java.util.Objects;

/**
 * A parameter array of a vector field: its key, shape, and what an initialiser needs to know.
 *
 * @param key      unique name, e.g. {@code W0}; no {@code '_'} (DL4J splits its gradient keys
 *                 {@code <layer>_<param>} at an underscore)
 * @param shape    array shape, e.g. {@code [nIn, nOut]} for a weight, {@code [1, nOut]} for a bias
 * @param bias     true for biases (bias init, bias updater and bias regularisation apply)
 * @param zeroInit true when the parameter must start at zero whatever the weight init says
 * @param fanIn    fan-in for the weight init scheme
 * @param fanOut   fan-out for the weight init scheme
 */
public record ParamSpec(String key, long[] shape, boolean bias, boolean zeroInit, long fanIn, long fanOut) {

    public ParamSpec {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.indexOf('_') >= 0) {
            throw new IllegalArgumentException("parameter key '" + key + "' must be non-empty and contain no '_' "
                    + "(DL4J separates layer and parameter names with '_')");
        }
        shape = shape.clone();
        for (long d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("parameter " + key + ": every dimension must be >= 1, got "
                        + Arrays.toString(shape));
            }
        }
    }

    /** Number of elements. */
    public long length() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParamSpec p && key.equals(p.key) && Arrays.equals(shape, p.shape) && bias == p.bias
                && zeroInit == p.zeroInit && fanIn == p.fanIn && fanOut == p.fanOut;
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, Arrays.hashCode(shape), bias, zeroInit, fanIn, fanOut);
    }

    @Override
    public String toString() {
        return key + Arrays.toString(shape) + (bias ? " (bias)" : "");
    }
}
