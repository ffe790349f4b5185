package org.dl4jnode.samediff.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link GradientMethod#backprop()}: the recorded steps reversed, each output's cotangent joining
 * the reverse pass at the step that ends at its time (at the start for an output at t0).
 */
final class Backprop implements GradientMethod {

    @Override
    public boolean keepsSteps() {
        return true;
    }

    @Override
    public Gradients backward(Solution forward, List<INDArray> outputBars) {
        int outputs = outputBars.size();
        Map<Integer, INDArray> jumps = new HashMap<>();
        INDArray atStart = null;
        for (int k = 0; k < outputs - 1; k++) {
            int step = forward.stepsUpTo(k) - 1;
            if (step >= 0) {
                jumps.put(step, outputBars.get(k));
            } else {
                atStart = outputBars.get(k);
            }
        }
        Gradients g = DiscreteBackprop.backward(forward.tape(), forward.tableau(), forward.steps(),
                outputBars.get(outputs - 1), jumps, forward.pool());
        if (atStart != null) {
            g.initialState().addi(atStart);
        }
        return g;
    }
}
