package org.dl4jnode.examples.experiments;

import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.conf.Solver;

/**
 * Pictures over depth of a model trained with adaptive steps: the same layer configured on a fixed grid reads the
 * same parameters, and its {@code trajectory(x)} states sit at known depths, where an adaptive solve's do not.
 */
final class FixedGridPictures {

    /** Equal RK4 steps of a picture's solve. */
    static final int STEPS = 40;

    private FixedGridPictures() {
    }

    /** {@code builder} stepped by DOPRI5 at rtol = atol = {@code tolerance} for training, or on the pictures' grid. */
    static <B extends BaseOdeLayer.Builder<B>> BaseOdeLayer stepped(B builder, boolean forPictures, double tolerance) {
        return forPictures ? builder.solver(Solver.RK4).steps(STEPS).build()
                : builder.solver(Solver.DOPRI5).tolerances(tolerance, tolerance).build();
    }

    /** The depths of a fixed-grid trajectory's {@code states} states, h(t0) first, on the layer's span. */
    static double[] depths(BaseOdeLayer conf, int states) {
        double t0 = conf.getTimeStart();
        double t1 = conf.getTimeEnd();
        double[] ts = new double[states];
        for (int k = 0; k < states; k++) {
            ts[k] = t0 + (t1 - t0) * k / (states - 1);
        }
        return ts;
    }
}
