package org.dl4jnode.samediff.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * What a backward pass through an ODE solve yields.
 *
 * @param initialState cotangent of the initial state (dL/dh(t0)), shaped like it
 * @param params       dL/dtheta per trainable key, shaped like the parameter
 */
public record Gradients(INDArray initialState, Map<String, INDArray> params) {
}
