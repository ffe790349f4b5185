package org.dl4jnode.samediff.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * What a backward pass through an ODE solve yields.
 *
 * @param initialState cotangent of the initial state (dL/dh(t0)), shaped like it
 * @param params       dL/dtheta per trainable key, shaped like the parameter
 * @param input        dL/dx through the right-hand side, for a field that reads the layer's input x
 *                     (data control, adaptive depth); null otherwise. The path through h(t0) is not in
 *                     it: that is {@code initialState}.
 */
public record Gradients(INDArray initialState, Map<String, INDArray> params, INDArray input) {
}
