package org.dl4jnode.samediff.regularizer;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A penalty on the right-hand side at the end of the solve, {@code F(t1, h(t1))}: evaluated once
 * after the forward solve; its gradient enters the backward pass as a vector-Jacobian product
 * at h(t1).
 */
public interface EndpointRegularizer extends FlowRegularizer {

    /** The penalty for {@code rhs = F(t1, h(t1))}, {@code [minibatch, D, ...]}. */
    double penalty(INDArray rhs);

    /** d penalty / d rhs, a new array shaped like {@code rhs}. */
    INDArray cotangent(INDArray rhs);
}
