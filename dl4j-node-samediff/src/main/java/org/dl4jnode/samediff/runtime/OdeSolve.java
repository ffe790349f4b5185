package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.solve.ArrayAlgebra;
import org.dl4jnode.samediff.solve.ArrayPool;
import org.dl4jnode.samediff.solve.ErrorNorm;
import org.dl4jnode.samediff.solve.IntegrationException;
import org.dl4jnode.samediff.solve.RungeKutta;
import org.dl4jnode.samediff.solve.SolveStatistics;
import org.dl4jnode.samediff.solve.Step;
import org.dl4jnode.samediff.solve.TimeGrid;
import org.dl4jnode.samediff.tableau.ButcherTableau;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one entry point of a solve, as diffrax's {@code diffeqsolve}: a field function (bound to its
 * parameters, and to the input when it reads one: the solution keeps that {@link Binding} for its
 * backward pass), an initial state, the grids, a Runge-Kutta
 * method and a gradient method in; a {@link Solution} out, whose {@link Solution#backward} gives
 * the gradients.
 *
 * <p>The grids are consecutive segments, each ending at an output: one grid for a solve that
 * outputs its final state, one per output time otherwise; a null segment outputs the state it
 * starts from (an output at t0). Without a gradient method (inference), or with one that does not
 * keep steps, every accepted step's states go back to {@code pool} and the tape lets go of all but
 * the last slope, so memory does not grow with the steps; a rejected step's go back at once whatever the
 * method. Every array the solve makes is the pool's (or the tape's), none is left to the garbage collector.
 */
public final class OdeSolve {

    private static final String PASS = "the forward solve";

    private OdeSolve() {
    }

    /**
     * Solves from {@code y0} over {@code segments}.
     *
     * @param gradient    how the gradients will be computed; null for inference
     * @param pool        where intermediate states come from and go back to
     * @param tapeBudget  bytes of activations the tape may keep for a backward pass
     * @throws SolveFailure when an adaptive grid cannot finish
     */
    public static Solution solve(FieldFunction f, INDArray y0, List<TimeGrid> segments, ButcherTableau tableau,
                                 GradientMethod gradient, ArrayPool pool, long tapeBudget) {
        return solve(f, y0, segments, tableau, gradient, pool, tapeBudget, null);
    }

    /**
     * As {@link #solve(FieldFunction, INDArray, List, ButcherTableau, GradientMethod, ArrayPool, long)},
     * showing every accepted step to {@code onStep} first (its arrays may go back to the pool right
     * after: copy what is kept).
     */
    public static Solution solve(FieldFunction f, INDArray y0, List<TimeGrid> segments, ButcherTableau tableau,
                                 GradientMethod gradient, ArrayPool pool, long tapeBudget,
                                 Consumer<Step<INDArray>> onStep) {
        boolean keep = gradient != null && gradient.keepsSteps();
        List<Step<INDArray>> steps = keep ? new ArrayList<>() : null;
        Checkpointed.Record checkpoints = gradient instanceof Checkpointed c ? c.record(tableau, y0, pool, tapeBudget) : null;
        EvaluationTape tape = f.tape(tapeBudget, pool);
        RungeKutta<INDArray> method = new RungeKutta<>(tableau, ArrayAlgebra.pooled(pool));
        List<INDArray> states = new ArrayList<>(segments.size());
        int[] stepsUpTo = new int[segments.size()];
        int[] taken = {0};
        Consumer<Step<INDArray>> observer = step -> {
            taken[0]++;
            if (onStep != null) {
                onStep.accept(step);
            }
            if (checkpoints != null) {
                checkpoints.accept(step, tableau);
            }
            if (keep) {
                steps.add(step);
            } else {
                // all but the end state and a last slope that starts the next step (first-same-as-last); the
                // caller's y0 stays the caller's
                method.releaseAccepted(tape, step, y0);
            }
        };
        long start = f.evaluations();
        SolveStatistics statistics = new SolveStatistics();
        INDArray y = y0;
        try {
            for (int k = 0; k < segments.size(); k++) {
                TimeGrid grid = segments.get(k);
                if (grid != null) {
                    if (checkpoints != null) {
                        checkpoints.segmentStart();
                    }
                    long before = f.evaluations();
                    try {
                        y = grid.integrate(method, tape, y, ErrorNorm.of(grid, pool), observer, statistics);
                    } catch (IntegrationException e) {
                        throw new SolveFailure(PASS, grid, f.evaluations() - before, e.getMessage(), e);
                    }
                }
                // the next segment's first step hands its start state back to the pool: outputs before
                // the last are copies
                states.add(k < segments.size() - 1 ? pool.copyOf(y) : y);
                stepsUpTo[k] = taken[0];
            }
        } catch (RuntimeException e) {
            tape.close();
            if (checkpoints != null) {
                checkpoints.release();
            }
            throw e;
        }
        if (!keep) {
            tape.close();
        }
        return new Solution(f, tableau, segmentsOrNull(segments), states, stepsUpTo, steps,
                keep ? tape : null, tape.binding(), gradient, f.evaluations() - start, statistics, checkpoints, pool);
    }

    /** List.copyOf refuses nulls; a segment may be null (an output at t0). */
    private static List<TimeGrid> segmentsOrNull(List<TimeGrid> segments) {
        return java.util.Collections.unmodifiableList(new ArrayList<>(segments));
    }
}
