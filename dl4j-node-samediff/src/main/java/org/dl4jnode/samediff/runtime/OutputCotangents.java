package org.dl4jnode.samediff.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the cotangents of a solve's outputs before the last join a reverse pass through its steps:
 * by the index of the step that ends at each output, inside the step an interpolated output was read
 * from, or at the start for an output at t0.
 *
 * @param byStep  the cotangent of the state after step n, by n
 * @param inside  the cotangents of outputs interpolated inside step n, with their weights, by n
 * @param atStart the cotangent of an output at t0 (the initial state), or null
 */
record OutputCotangents(Map<Integer, INDArray> byStep, Map<Integer, List<Interpolated>> inside, INDArray atStart) {

    /** No outputs but the last. */
    static final OutputCotangents NONE = new OutputCotangents(Map.of(), Map.of(), null);

    /**
     * The cotangent of an output read inside a step, {@code y + dt sum_i w_i k_i}.
     *
     * @param weights the continuous extension's weights {@code b_i(theta)} at the output
     */
    record Interpolated(double[] weights, INDArray bar) {
    }

    /** The cotangents of {@code forward}'s outputs but the last, which starts the reverse pass. */
    static OutputCotangents of(Solution forward, List<INDArray> outputBars) {
        Map<Integer, INDArray> byStep = new HashMap<>();
        Map<Integer, List<Interpolated>> inside = new HashMap<>();
        INDArray atStart = null;
        for (int k = 0; k < outputBars.size() - 1; k++) {
            Solution.OutputPoint point = forward.outputPoint(k);
            if (point.step() < 0) {
                atStart = outputBars.get(k);
            } else if (point.weights() == null) {
                byStep.put(point.step(), outputBars.get(k));
            } else {
                inside.computeIfAbsent(point.step(), n -> new ArrayList<>())
                        .add(new Interpolated(point.weights(), outputBars.get(k)));
            }
        }
        return new OutputCotangents(byStep, inside, atStart);
    }

    /** Those of steps {@code first} to {@code last - 1}, indexed from {@code first}; none at the start. */
    OutputCotangents steps(int first, int last) {
        return new OutputCotangents(between(byStep, first, last), between(inside, first, last), null);
    }

    private static <V> Map<Integer, V> between(Map<Integer, V> byStep, int first, int last) {
        Map<Integer, V> local = new HashMap<>();
        byStep.forEach((n, value) -> {
            if (n >= first && n < last) {
                local.put(n - first, value);
            }
        });
        return local;
    }
}
