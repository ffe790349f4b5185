package org.dl4jnode.samediff.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the cotangents of a solve's outputs before the last join a reverse pass through its steps:
 * by the index of the step that ends at each output, or at the start for an output at t0.
 *
 * @param byStep  the cotangent of the state after step n, by n
 * @param atStart the cotangent of an output at t0 (the initial state), or null
 */
record OutputCotangents(Map<Integer, INDArray> byStep, INDArray atStart) {

    /** The cotangents of {@code forward}'s outputs but the last, which starts the reverse pass. */
    static OutputCotangents of(Solution forward, List<INDArray> outputBars) {
        Map<Integer, INDArray> byStep = new HashMap<>();
        INDArray atStart = null;
        for (int k = 0; k < outputBars.size() - 1; k++) {
            int step = forward.stepsUpTo(k) - 1;
            if (step >= 0) {
                byStep.put(step, outputBars.get(k));
            } else {
                atStart = outputBars.get(k);
            }
        }
        return new OutputCotangents(byStep, atStart);
    }
}
