package org.dl4jnode.samediff.regularizer;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * What an integrand sees at one point of the flow, as graph variables.
 *
 * @param rhs           the right-hand side F(t, h) the solver integrates, {@code [minibatch, D, ...]}
 * @param jacobianProbe {@code (dF/dh) eps} for the solve's probe eps (same shape); null unless an
 *                      integrand asked for it ({@link IntegralRegularizer#needsJacobianProbe()})
 */
public record FlowPoint(SDVariable rhs, SDVariable jacobianProbe) {
}
