package org.dl4jnode.samediff.solve;

import org.dl4jnode.samediff.field.FieldDefinition;
import org.dl4jnode.samediff.param.ParameterSource;
import org.dl4jnode.samediff.tableau.ButcherTableau;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Unrolls a fixed-grid Runge-Kutta solve of a vector field into a SameDiff graph.
 *
 * <p>For plain SameDiff models: the result is an ordinary variable that SameDiff executes and
 * differentiates on any backend. Every stage of every step becomes ops (a stage time is a constant),
 * so graph size grows with {@code steps * stages}.
 */
public final class GraphIntegrator {

    private GraphIntegrator() {
    }

    /**
     * Defines {@code h(t1)} for {@code dh/dt = f(t, h)}, {@code h(t0) = h0}.
     *
     * @param sd      the graph to add ops to
     * @param field   the vector field
     * @param params  the field's parameters in {@code sd}
     * @param h0      the initial state
     * @param tableau the method
     * @param grid    the time grid
     */
    public static SDVariable solve(SameDiff sd, FieldDefinition field, ParameterSource params, SDVariable h0,
                                   ButcherTableau tableau, FixedGrid grid) {
        RightHandSide<SDVariable> rhs = (t, h) -> field.define(sd, sd.constant(Nd4j.scalar(h0.dataType(), t)), h, params);
        return grid.integrate(new RungeKutta<>(tableau, GraphAlgebra.INSTANCE), rhs, h0, null);
    }
}
