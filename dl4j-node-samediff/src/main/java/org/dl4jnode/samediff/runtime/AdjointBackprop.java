package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.solve.ArrayPool;
import org.dl4jnode.samediff.solve.SolveStatistics;
import org.dl4jnode.samediff.solve.TimeGrid;
import org.dl4jnode.samediff.tableau.ButcherTableau;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The continuous adjoint's backward solve under its former name.
 *
 * @deprecated renamed {@link AdjointSolve}: it solves the adjoint system, it does not backpropagate
 *             through steps as {@link DiscreteBackprop} does; kept so that code written against
 *             release 0.1.0 compiles
 */
@Deprecated
public final class AdjointBackprop {

    private AdjointBackprop() {
    }

    /** @deprecated use {@link AdjointSolve#backward(FieldFunction, Binding, ButcherTableau, TimeGrid, INDArray, INDArray, ArrayPool)} */
    @Deprecated
    public static Gradients backward(FieldFunction f, Binding binding, ButcherTableau tableau, TimeGrid backwards,
                                     INDArray finalState, INDArray finalBar, ArrayPool pool) {
        return AdjointSolve.backward(f, binding, tableau, backwards, finalState, finalBar, pool);
    }

    /**
     * @deprecated use {@link AdjointSolve#backward(FieldFunction, Binding, ButcherTableau, TimeGrid, INDArray,
     *             INDArray, ArrayPool, boolean, SolveStatistics)}
     */
    @Deprecated
    public static Gradients backward(FieldFunction f, Binding binding, ButcherTableau tableau, TimeGrid backwards,
                                     INDArray finalState, INDArray finalBar, ArrayPool pool, boolean seminorm,
                                     SolveStatistics statistics) {
        return AdjointSolve.backward(f, binding, tableau, backwards, finalState, finalBar, pool, seminorm, statistics);
    }
}
