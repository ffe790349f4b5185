package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.solve.ArrayPool;
import org.dl4jnode.samediff.solve.Step;
import org.dl4jnode.samediff.solve.SolveStatistics;
import org.dl4jnode.samediff.solve.TimeGrid;
import org.dl4jnode.samediff.tableau.ButcherTableau;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * What {@link OdeSolve#solve} returns: the state at each output (a segment's end, or a time read off a
 * step by its continuous extension) and what
 * the backward pass needs, which only its {@link GradientMethod} reads. Holds the field's tape
 * (when the method keeps the steps) until {@link #close()}.
 */
public final class Solution implements AutoCloseable {

    private final FieldFunction field;
    private final ButcherTableau tableau;
    private final List<TimeGrid> segments;
    private final List<INDArray> states;
    private final List<OutputPoint> outputPoints;
    private final List<Step<INDArray>> steps;
    private final GradientMethod gradient;
    private final long evaluations;
    private final SolveStatistics statistics;
    private final SolveStatistics backwardStatistics = new SolveStatistics();
    /** A checkpointed solve's record; null otherwise. */
    private final Checkpointed.Record checkpoints;
    private final Binding binding;
    private final ArrayPool pool;
    private EvaluationTape tape;

    Solution(FieldFunction field, ButcherTableau tableau, List<TimeGrid> segments, List<INDArray> states,
             List<OutputPoint> outputPoints, List<Step<INDArray>> steps, EvaluationTape tape, Binding binding,
             GradientMethod gradient, long evaluations, SolveStatistics statistics, Checkpointed.Record checkpoints,
             ArrayPool pool) {
        this.field = field;
        this.tableau = tableau;
        this.segments = segments;
        this.states = states;
        this.outputPoints = List.copyOf(outputPoints);
        this.steps = steps;
        this.tape = tape;
        this.binding = binding;
        this.gradient = gradient;
        this.evaluations = evaluations;
        this.statistics = statistics;
        this.checkpoints = checkpoints;
        this.pool = pool;
    }

    /**
     * Where an output was read off the accepted steps (numbered from 0 over the whole solve): at the end
     * of step {@code step} ({@code weights} null), inside it by the continuous extension's weights, or the
     * initial state ({@code step} -1).
     */
    record OutputPoint(int step, double[] weights) {
    }

    /** The whole state at each output, in order; the last is the final state. */
    public List<INDArray> states() {
        return states;
    }

    /** The forward solve's accepted and rejected steps, over all its segments. */
    public SolveStatistics statistics() {
        return statistics;
    }

    /**
     * The backward solves' steps, over all segments: counted by a gradient method that solves
     * backwards (the adjoint) once {@link #backward} has run; empty for backprop, which replays the
     * forward steps.
     */
    public SolveStatistics backwardStatistics() {
        return backwardStatistics;
    }

    /** Evaluations of f in the forward solve. */
    public long evaluations() {
        return evaluations;
    }

    /**
     * The gradients, by the solve's gradient method.
     *
     * @param outputBars the cotangents of {@link #states()}, one each
     * @throws IllegalStateException when the solve was made without a gradient method (inference)
     * @throws SolveFailure          when a backward solve cannot finish
     */
    public Gradients backward(List<INDArray> outputBars) {
        if (gradient == null) {
            throw new IllegalStateException("this solve was made for inference, without a gradient method");
        }
        if (outputBars.size() != states.size()) {
            throw new IllegalArgumentException(outputBars.size() + " output cotangents for " + states.size()
                    + " outputs");
        }
        return gradient.backward(this, outputBars);
    }

    /** Lets go of the tape's kept evaluations. */
    @Override
    public void close() {
        if (tape != null) {
            tape.close();
            tape = null;
        }
    }

    /** The pool the solve took its states from: the backward pass takes its working arrays there too. */
    ArrayPool pool() {
        return pool;
    }

    FieldFunction field() {
        return field;
    }

    /** The parameters and input the forward solve read; the backward pass reads the same. */
    Binding binding() {
        return binding;
    }

    ButcherTableau tableau() {
        return tableau;
    }

    List<TimeGrid> segments() {
        return segments;
    }

    /** Where output k was read off the accepted steps. */
    OutputPoint outputPoint(int k) {
        return outputPoints.get(k);
    }

    List<Step<INDArray>> steps() {
        return steps;
    }

    EvaluationTape tape() {
        return tape;
    }

    Checkpointed.Record checkpoints() {
        if (checkpoints == null) {
            throw new IllegalStateException("this solve kept no checkpoints: its gradient method is " + gradient);
        }
        return checkpoints;
    }
}
