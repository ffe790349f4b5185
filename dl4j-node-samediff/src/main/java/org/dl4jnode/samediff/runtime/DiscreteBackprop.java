package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.solve.ArrayAlgebra;
import org.dl4jnode.samediff.solve.ArrayPool;
import org.dl4jnode.samediff.solve.Step;
import org.dl4jnode.samediff.tableau.ButcherTableau;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The exact gradient of a sequence of explicit Runge-Kutta steps (reverse-mode through the solver).
 *
 * <p>For a step {@code y' = y + dt sum_i b_i k_i}, {@code k_i = f(t + c_i dt, Y_i)},
 * {@code Y_i = y + dt sum_{j<i} a_ij k_j}, and the cotangent {@code ybar'} of y', stages are
 * visited last to first:
 * {@code kbar_i = dt (b_i ybar' + sum_{j>i} a_ji Ybar_j)}, {@code Ybar_i = kbar_i^T df/dY (t_i, Y_i)},
 * {@code thetabar += kbar_i^T df/dtheta} (and likewise {@code xbar} for the layer input x of a field
 * that reads it); then {@code ybar = ybar' + sum_i Ybar_i}. Stages whose {@code kbar} is identically
 * zero (the unused last stage of a first-same-as-last pair) cost nothing.
 * A first slope reused from the previous step (first-same-as-last) is the same function of the same
 * point, f(t_{n+1}, y_{n+1}), so differentiating it as step n+1's own first stage is exact.
 *
 * <p>The products come from the {@link EvaluationTape} the steps were taken with, so only the
 * backward half of the field runs; the working arrays are allocated once per call.
 */
public final class DiscreteBackprop {

    private DiscreteBackprop() {
    }

    /**
     * Backpropagates through {@code steps}, recomputing every stage's forward part.
     *
     * @see #backward(EvaluationTape, ButcherTableau, List, INDArray)
     */
    public static Gradients backward(FieldFunction f, ButcherTableau tableau, List<Step<INDArray>> steps,
                                     INDArray outputBar) {
        try (EvaluationTape empty = f.tape()) {
            return backward(empty, tableau, steps, outputBar);
        }
    }

    /**
     * Backpropagates through {@code steps} (as taken, first to last, with {@code tape} as right-hand side).
     *
     * @param tape      the tape the steps were taken with (same parameters); still open
     * @param tableau   the method the steps were taken with
     * @param steps     the recorded steps
     * @param outputBar cotangent of the final state
     * @return the cotangent of the initial state and the parameter gradients (arrays of their own)
     */
    public static Gradients backward(EvaluationTape tape, ButcherTableau tableau, List<Step<INDArray>> steps,
                                     INDArray outputBar) {
        return backward(tape, tableau, steps, outputBar, Map.of());
    }

    /**
     * Backpropagates through {@code steps} when states along the way were outputs too: the cotangent
     * {@code jumps.get(n)} of the state after step n joins the one flowing back from the end, as the
     * reverse pass reaches it.
     *
     * @param jumps cotangents of intermediate states, by the index of the step that ends at them
     * @see #backward(EvaluationTape, ButcherTableau, List, INDArray)
     */
    public static Gradients backward(EvaluationTape tape, ButcherTableau tableau, List<Step<INDArray>> steps,
                                     INDArray outputBar, Map<Integer, INDArray> jumps) {
        return backward(tape, tableau, steps, outputBar, jumps, null);
    }

    /**
     * As {@link #backward(EvaluationTape, ButcherTableau, List, INDArray, Map)}, taking the working arrays
     * (stage cotangents and the step's running sum) from {@code pool} and giving them back at the end, so a
     * training step allocates nothing in the steady state.
     *
     * @param pool where the working arrays and the results come from (the results stay handed out: they go
     *             back with the pool's other arrays); null: allocate them
     */
    public static Gradients backward(EvaluationTape tape, ButcherTableau tableau, List<Step<INDArray>> steps,
                                     INDArray outputBar, Map<Integer, INDArray> jumps, ArrayPool pool) {
        return backward(tape, tableau, steps, outputBar, jumps, pool, null);
    }

    /**
     * As {@link #backward(EvaluationTape, ButcherTableau, List, INDArray, Map, ArrayPool)}, adding the
     * parameter and input gradients to those of {@code carried} (a backward pass through later steps), in
     * the order one pass through all the steps would: run by run, the sums are a single pass's bit for bit.
     *
     * @param carried gradients to continue from (their arrays are added to and returned); null: from zero
     */
    static Gradients backward(EvaluationTape tape, ButcherTableau tableau, List<Step<INDArray>> steps,
                              INDArray outputBar, Map<Integer, INDArray> jumps, ArrayPool pool, Gradients carried) {
        return backward(tape, tableau, steps, outputBar, new OutputCotangents(jumps, Map.of(), null), pool, carried);
    }

    /**
     * As {@link #backward(EvaluationTape, ButcherTableau, List, INDArray, Map, ArrayPool, Gradients)} with
     * outputs interpolated inside steps too: an output {@code y + dt sum_i w_i k_i} read inside step n adds
     * its cotangent to the step's start state's and {@code dt w_i} times it to each stage's {@code kbar_i}.
     * The cotangent at the start ({@link OutputCotangents#atStart()}) is the caller's to add.
     */
    static Gradients backward(EvaluationTape tape, ButcherTableau tableau, List<Step<INDArray>> steps,
                              INDArray outputBar, OutputCotangents outputs, ArrayPool pool, Gradients carried) {
        Map<Integer, INDArray> jumps = outputs.byStep();
        FieldFunction f = tape.field();
        DataType type = outputBar.dataType();
        Map<String, INDArray> paramBar = new LinkedHashMap<>();
        for (ParamSpec p : f.trainable()) {
            paramBar.put(p.key(), carried != null ? carried.params().get(p.key()) : zeros(pool, type, p.shape()));
        }
        INDArray inputBar = !f.readsInput() ? null : carried != null ? carried.input()
                : zeros(pool, type, tape.binding().requireInput().shape());
        int s = tableau.stages();
        INDArray yBar = working(pool, type, outputBar.shape());
        ArrayAlgebra.copy(outputBar, yBar);
        INDArray returned = yBar;
        INDArray stepBar = working(pool, type, outputBar.shape());
        INDArray kBar = working(pool, type, outputBar.shape());
        INDArray[] stageBar = new INDArray[s];
        boolean[] computed = new boolean[s];
        for (int n = steps.size() - 1; n >= 0; n--) {
            Step<INDArray> step = steps.get(n);
            INDArray jump = jumps.get(n);
            if (jump != null) {
                ArrayAlgebra.axpy(1, jump, yBar);
            }
            double dt = step.dt();
            Arrays.fill(computed, false);
            ArrayAlgebra.copy(yBar, stepBar);
            List<OutputCotangents.Interpolated> inside = outputs.inside().getOrDefault(n, List.of());
            for (int i = s - 1; i >= 0; i--) {
                boolean any = false;
                if (tableau.b(i) != 0) {
                    any = addScaled(any, dt * tableau.b(i), yBar, kBar);
                }
                for (OutputCotangents.Interpolated output : inside) {
                    if (output.weights()[i] != 0) {
                        any = addScaled(any, dt * output.weights()[i], output.bar(), kBar);
                    }
                }
                for (int j = i + 1; j < s; j++) {
                    double aji = tableau.a(j, i);
                    if (aji != 0 && computed[j]) {
                        any = addScaled(any, dt * aji, stageBar[j], kBar);
                    }
                }
                if (!any) {
                    continue;
                }
                FieldFunction.Vjp vjp = tape.vjp(step.t() + tableau.c(i) * dt, step.stageStates().get(i),
                        step.stageSlopes().get(i), kBar);
                if (stageBar[i] == null) {
                    stageBar[i] = working(pool, type, outputBar.shape());
                }
                ArrayAlgebra.copy(vjp.state(), stageBar[i]);
                computed[i] = true;
                ArrayAlgebra.axpy(1, vjp.state(), stepBar);
                vjp.params().forEach((key, g) -> ArrayAlgebra.axpy(1, g, paramBar.get(key)));
                if (vjp.input() != null) {
                    ArrayAlgebra.axpy(1, vjp.input(), inputBar);
                }
            }
            for (OutputCotangents.Interpolated output : inside) {
                ArrayAlgebra.axpy(1, output.bar(), stepBar);
            }
            INDArray swap = yBar;
            yBar = stepBar;
            stepBar = swap;
        }
        if (yBar != returned) {
            // the result is the caller's: the pooled array that holds it goes back
            ArrayAlgebra.copy(yBar, returned);
            stepBar = yBar;
        }
        if (pool != null) {
            pool.giveBack(stepBar);
            pool.giveBack(kBar);
            for (INDArray a : stageBar) {
                pool.giveBack(a);
            }
        }
        return new Gradients(returned, paramBar, inputBar);
    }

    /** {@code sum += factor x}, or {@code sum = factor x} when nothing was summed yet; true (summed). */
    private static boolean addScaled(boolean started, double factor, INDArray x, INDArray sum) {
        if (started) {
            ArrayAlgebra.axpy(factor, x, sum);
        } else {
            ArrayAlgebra.scale(factor, x, sum);
        }
        return true;
    }

    private static INDArray zeros(ArrayPool pool, DataType type, long[] shape) {
        return pool != null ? pool.take(type, shape).assign(0) : Nd4j.zeros(type, shape);
    }

    private static INDArray working(ArrayPool pool, DataType type, long[] shape) {
        return pool != null ? pool.take(type, shape) : Nd4j.createUninitialized(type, shape);
    }
}
