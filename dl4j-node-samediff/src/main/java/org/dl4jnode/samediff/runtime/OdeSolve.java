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
import org.dl4jnode.samediff.tableau.ContinuousExtension;
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
 * starts from (an output at t0). {@link #solveInterpolated} reads the same outputs off one solve
 * over their whole span by the method's dense output instead. Without a gradient method (inference), or with one that does not
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
        return new Run(f, y0, tableau, gradient, pool, tapeBudget, onStep).segments(segments);
    }

    /**
     * The outputs of {@link #solve(FieldFunction, INDArray, List, ButcherTableau, GradientMethod, ArrayPool,
     * long, Consumer) solve} over {@code segments}, read off one solve over their whole span instead: each
     * output before the last is interpolated inside the step that covers its time by the tableau's
     * {@linkplain ButcherTableau#continuousExtension() continuous extension}, so the steps are the error
     * control's alone rather than cut at every output time (diffrax's and torchdiffeq's way). The
     * segments stay the backward solves' of an adjoint; backprop differentiates the interpolation.
     *
     * @param whole    the forward grid, from the first segment's start to the last one's end
     * @param segments consecutive grids, one per output, each ending at its time (null: an output at t0)
     * @throws IllegalArgumentException when the tableau has no continuous extension or the segments do not
     *                                  lie within {@code whole}
     */
    public static Solution solveInterpolated(FieldFunction f, INDArray y0, TimeGrid whole, List<TimeGrid> segments,
                                             ButcherTableau tableau, GradientMethod gradient, ArrayPool pool,
                                             long tapeBudget, Consumer<Step<INDArray>> onStep) {
        if (tableau.continuousExtension().isEmpty()) {
            throw new IllegalArgumentException(tableau + " has no continuous extension to interpolate outputs with");
        }
        return new Run(f, y0, tableau, gradient, pool, tapeBudget, onStep).interpolated(whole, segments);
    }

    /** One solve's shared state: the tape, the kept steps or checkpoints, the outputs as they come. */
    private static final class Run {
        private final FieldFunction f;
        private final INDArray y0;
        private final ButcherTableau tableau;
        private final GradientMethod gradient;
        private final ArrayPool pool;
        private final Consumer<Step<INDArray>> onStep;
        private final boolean keep;
        private final List<Step<INDArray>> steps;
        private final Checkpointed.Record checkpoints;
        private final EvaluationTape tape;
        private final RungeKutta<INDArray> method;
        private final List<INDArray> states = new ArrayList<>();
        private final List<Solution.OutputPoint> points = new ArrayList<>();
        private final SolveStatistics statistics = new SolveStatistics();
        private final long start;
        private int taken;

        Run(FieldFunction f, INDArray y0, ButcherTableau tableau, GradientMethod gradient, ArrayPool pool,
            long tapeBudget, Consumer<Step<INDArray>> onStep) {
            this.f = f;
            this.y0 = y0;
            this.tableau = tableau;
            this.gradient = gradient;
            this.pool = pool;
            this.onStep = onStep;
            this.keep = gradient != null && gradient.keepsSteps();
            this.steps = keep ? new ArrayList<>() : null;
            this.checkpoints = gradient instanceof Checkpointed c ? c.record(tableau, y0, pool, tapeBudget) : null;
            this.tape = f.tape(tapeBudget, pool);
            this.method = new RungeKutta<>(tableau, ArrayAlgebra.pooled(pool));
            this.start = f.evaluations();
        }

        Solution segments(List<TimeGrid> segments) {
            INDArray y = y0;
            try {
                for (int k = 0; k < segments.size(); k++) {
                    TimeGrid grid = segments.get(k);
                    if (grid != null) {
                        y = integrate(grid, y, step -> { });
                    }
                    // the next segment's first step hands its start state back to the pool: outputs before
                    // the last are copies
                    states.add(k < segments.size() - 1 ? pool.copyOf(y) : y);
                    points.add(new Solution.OutputPoint(taken - 1, null));
                }
            } catch (RuntimeException e) {
                abandon();
                throw e;
            }
            return finish(segments);
        }

        Solution interpolated(TimeGrid whole, List<TimeGrid> segments) {
            double[] times = new double[segments.size()];
            double from = whole.t0();
            for (int k = 0; k < times.length; k++) {
                TimeGrid segment = segments.get(k);
                times[k] = segment == null ? from : segment.t1();
                if (segment != null && segment.t0() != from) {
                    throw new IllegalArgumentException("segment " + k + " starts at " + segment.t0()
                            + ", not where the previous one ends (" + from + ")");
                }
                from = times[k];
            }
            if (from != whole.t1()) {
                throw new IllegalArgumentException("the segments end at " + from + ", the whole grid at " + whole.t1());
            }
            int last = times.length - 1;
            ContinuousExtension dense = tableau.continuousExtension().orElseThrow();
            int[] next = {0};
            Consumer<Step<INDArray>> read = step -> {
                // outputs before the last that this step covers; the last is the solve's end state
                while (next[0] < last) {
                    double theta = (times[next[0]] - step.t()) / step.dt();
                    if (theta > 1 + 1e-9) {
                        break;
                    }
                    double[] w = dense.weights(Math.min(1, theta));
                    states.add(method.interpolate(step, w));
                    points.add(new Solution.OutputPoint(taken, w));
                    next[0]++;
                }
            };
            INDArray y = y0;
            try {
                while (next[0] < last && times[next[0]] == whole.t0()) {
                    states.add(pool.copyOf(y0));
                    points.add(new Solution.OutputPoint(-1, null));
                    next[0]++;
                }
                y = integrate(whole, y, read);
                if (next[0] != last) {
                    throw new IllegalStateException("outputs " + next[0] + " to " + (last - 1) + " of " + times.length
                            + " were not covered by the steps from " + whole.t0() + " to " + whole.t1());
                }
                states.add(y);
                points.add(new Solution.OutputPoint(taken - 1, null));
            } catch (RuntimeException e) {
                states.forEach(pool::giveBack);
                abandon();
                throw e;
            }
            return finish(segments);
        }

        /** Integrates over {@code grid}, showing each accepted step to {@code read} before it may be let go. */
        private INDArray integrate(TimeGrid grid, INDArray y, Consumer<Step<INDArray>> read) {
            if (checkpoints != null) {
                checkpoints.segmentStart();
            }
            Consumer<Step<INDArray>> observer = step -> {
                read.accept(step);
                taken++;
                if (onStep != null) {
                    onStep.accept(step);
                }
                if (checkpoints != null) {
                    checkpoints.accept(step, tableau);
                }
                if (keep) {
                    steps.add(step);
                } else {
                    // all but the end state and a last slope that starts the next step (first-same-as-last);
                    // the caller's y0 stays the caller's
                    method.releaseAccepted(tape, step, y0);
                }
            };
            long before = f.evaluations();
            try {
                return grid.integrate(method, tape, y, ErrorNorm.of(grid, pool), observer, statistics);
            } catch (IntegrationException e) {
                throw new SolveFailure(PASS, grid, f.evaluations() - before, e.getMessage(), e);
            }
        }

        private void abandon() {
            tape.close();
            if (checkpoints != null) {
                checkpoints.release();
            }
        }

        private Solution finish(List<TimeGrid> segments) {
            if (!keep) {
                tape.close();
            }
            return new Solution(f, tableau, segmentsOrNull(segments), states, points, steps,
                    keep ? tape : null, tape.binding(), gradient, f.evaluations() - start, statistics, checkpoints,
                    pool);
        }
    }

    /** List.copyOf refuses nulls; a segment may be null (an output at t0). */
    private static List<TimeGrid> segmentsOrNull(List<TimeGrid> segments) {
        return java.util.Collections.unmodifiableList(new ArrayList<>(segments));
    }
}
