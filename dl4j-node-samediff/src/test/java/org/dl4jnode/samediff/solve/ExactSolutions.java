package org.dl4jnode.samediff.solve;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Problems with known solutions, on {@code [minibatch, 2]} double states. */
final class ExactSolutions {

    /** A = [[-0.1, -1], [1, -0.1]] (seed 003's spiral): dh/dt = A h, as row vectors h' = h A^T. */
    static final double[][] SPIRAL = {{-0.1, -1}, {1, -0.1}};

    private ExactSolutions() {
    }

    static INDArray spiralMatrixTransposed() {
        return Nd4j.createFromArray(SPIRAL).transpose().dup();
    }

    /** exp(A t) h0 for the spiral: e^{-0.1 t} times a rotation by t. */
    static INDArray spiral(INDArray h0, double t) {
        double decay = Math.exp(-0.1 * t);
        double cos = Math.cos(t);
        double sin = Math.sin(t);
        // rows are states: h(t) = h0 exp(A t)^T
        INDArray expAt = Nd4j.createFromArray(new double[][] {{cos, -sin}, {sin, cos}}).muli(decay);
        return h0.mmul(expAt.transpose());
    }

    /** dh/dt = cos(t) h has h(t) = h(t0) exp(sin t - sin t0). */
    static INDArray cosineGrowth(INDArray h0, double t0, double t) {
        return h0.mul(Math.exp(Math.sin(t) - Math.sin(t0)));
    }

    static INDArray initialStates() {
        return Nd4j.createFromArray(new double[][] {{1, 1}, {-0.5, 2}, {0.3, -0.7}});
    }
}
