package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.solve.ArrayAlgebra;
import org.dl4jnode.samediff.solve.ArrayPool;
import org.dl4jnode.samediff.solve.RungeKutta;
import org.dl4jnode.samediff.solve.Step;
import org.dl4jnode.samediff.tableau.ButcherTableau;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link GradientMethod#checkpointed(long)}: backprop through the steps with a memory budget. The
 * forward solve keeps each step's time and size, and the state at every K-th step (a checkpoint); the
 * backward pass replays the steps from each checkpoint, last run first, with the recorded times and
 * sizes and a tape of its own, and reverses them ({@link DiscreteBackprop}). The replay evaluates the
 * same field at the same points as the forward solve did (a first-same-as-last slope at the time it was
 * first evaluated), so the gradient is the discrete solve's, bit for bit that of {@code backprop()}.
 *
 * <p>K is chosen from the budget so that a replayed run of steps, its stage states and slopes
 * ({@code 2 s} state-sized arrays a step, s stages), fits in it; the checkpoints add one state per K
 * steps. The field's activations are kept up to the solve's tape budget during a replay, as backprop's
 * forward solve keeps them.
 */
final class Checkpointed implements GradientMethod {

    private final long budgetBytes;

    Checkpointed(long budgetBytes) {
        if (budgetBytes < 1) {
            throw new IllegalArgumentException("a checkpointed gradient needs a memory budget >= 1 byte, got "
                    + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
    }

    @Override
    public boolean keepsSteps() {
        return false;
    }

    /** Steps between checkpoints for states of {@code stateBytes} and a method of {@code stages} stages. */
    int stepsPerCheckpoint(long stateBytes, int stages) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, budgetBytes / (2L * stages * Math.max(1, stateBytes))));
    }

    /** What the forward solve records for this method. */
    Record record(ButcherTableau tableau, INDArray y0, ArrayPool pool, long tapeBudget) {
        return new Record(stepsPerCheckpoint(y0.length() * y0.dataType().width(), tableau.stages()),
                tableau.isFsal(), pool, tapeBudget);
    }

    @Override
    public Gradients backward(Solution forward, List<INDArray> outputBars) {
        Record record = forward.checkpoints();
        FieldFunction f = forward.field();
        ArrayPool pool = forward.pool();
        ButcherTableau tableau = forward.tableau();
        OutputCotangents jumps = OutputCotangents.of(forward, outputBars);
        int n = record.times.size();
        INDArray yBar = pool.copyOf(outputBars.get(outputBars.size() - 1));
        Gradients carried = null;
        RungeKutta<INDArray> method = new RungeKutta<>(tableau, ArrayAlgebra.pooled(pool));
        for (int c = record.checkpoints.size() - 1; c >= 0; c--) {
            int first = c * record.every;
            int last = Math.min(n, first + record.every);
            try (EvaluationTape tape = new EvaluationTape(f, forward.binding(), record.tapeBudget, pool)) {
                List<Step<INDArray>> steps = replay(method, tape, record, c, first, last);
                // one accumulation across the runs, in a single pass's order: backprop's sums bit for bit
                Gradients g = DiscreteBackprop.backward(tape, tableau, steps, yBar, jumps.steps(first, last), pool,
                        carried);
                pool.giveBack(yBar);
                yBar = g.initialState();
                carried = g;
                // the run's arrays but the checkpoint it started from, which the record gives back
                for (int i = 0; i < steps.size(); i++) {
                    Step<INDArray> step = steps.get(i);
                    for (int j = 1; j < step.stageStates().size(); j++) {
                        method.algebra().release(step.stageStates().get(j));
                    }
                    // a first-same-as-last slope is the previous step's last: released once, there
                    List<INDArray> previous = i == 0 ? null : steps.get(i - 1).stageSlopes();
                    INDArray reused = previous == null ? null : previous.get(previous.size() - 1);
                    for (INDArray slope : step.stageSlopes()) {
                        if (slope != reused) {
                            tape.release(slope);
                        }
                    }
                    method.algebra().release(step.next());
                    method.algebra().release(step.error());
                }
            }
        }
        if (carried == null) {
            // no step at all (a single output at t0): zero gradients through an empty run
            try (EvaluationTape tape = new EvaluationTape(f, forward.binding(), 0, pool)) {
                carried = DiscreteBackprop.backward(tape, tableau, List.of(), yBar, OutputCotangents.NONE, pool, null);
            }
            pool.giveBack(yBar);
            yBar = carried.initialState();
        }
        record.release();
        if (jumps.atStart() != null) {
            yBar.addi(jumps.atStart());
        }
        return new Gradients(yBar, carried.params(), carried.input());
    }

    /** The steps {@code first} to {@code last - 1} again, from checkpoint {@code c}. */
    private static List<Step<INDArray>> replay(RungeKutta<INDArray> method, EvaluationTape tape, Record record, int c,
                                               int first, int last) {
        List<Step<INDArray>> steps = new ArrayList<>(last - first);
        INDArray y = record.checkpoints.get(c);
        INDArray slope = null;
        for (int i = first; i < last; i++) {
            double firstSlopeTime = record.firstSlopeTimes.get(i);
            if (Double.isNaN(firstSlopeTime)) {
                slope = null;
            } else if (i == first) {
                slope = tape.evaluate(firstSlopeTime, y);
            }
            Step<INDArray> step = method.step(tape, record.times.get(i), y, record.sizes.get(i), slope);
            steps.add(step);
            y = step.next();
            slope = step.stageSlopes().get(step.stageSlopes().size() - 1);
        }
        return steps;
    }

    /**
     * What a checkpointed forward solve keeps: every accepted step's start time and size, and where its
     * first slope came from (NaN: evaluated at the step's start; else the time of the previous step's last
     * stage, first-same-as-last), and the state at the start of every {@code every}-th step (a copy from
     * the pool).
     */
    static final class Record {
        final int every;
        final boolean fsal;
        final long tapeBudget;
        private final ArrayPool pool;
        final List<Double> times = new ArrayList<>();
        final List<Double> sizes = new ArrayList<>();
        final List<Double> firstSlopeTimes = new ArrayList<>();
        final List<INDArray> checkpoints = new ArrayList<>();
        private double lastStageTime = Double.NaN;

        Record(int every, boolean fsal, ArrayPool pool, long tapeBudget) {
            this.every = every;
            this.fsal = fsal;
            this.pool = pool;
            this.tapeBudget = tapeBudget;
        }

        /** A new grid (segment) starts: its first slope is evaluated afresh. */
        void segmentStart() {
            lastStageTime = Double.NaN;
        }

        /** Called with every accepted step, in order, before the solve lets go of it. */
        void accept(Step<INDArray> step, ButcherTableau tableau) {
            if (times.size() % every == 0) {
                checkpoints.add(pool.copyOf(step.y()));
            }
            times.add(step.t());
            sizes.add(step.dt());
            firstSlopeTimes.add(fsal ? lastStageTime : Double.NaN);
            lastStageTime = step.t() + tableau.c(tableau.stages() - 1) * step.dt();
        }

        /** Gives the checkpoints back to the pool. */
        void release() {
            checkpoints.forEach(pool::giveBack);
            checkpoints.clear();
        }
    }
}
