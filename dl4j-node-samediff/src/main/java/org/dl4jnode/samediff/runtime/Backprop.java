package org.dl4jnode.samediff.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * {@link GradientMethod#backprop()}: the recorded steps reversed, each output's cotangent joining
 * the reverse pass at the step that ends at its time or that it was interpolated in (at the start for
 * an output at t0).
 */
final class Backprop implements GradientMethod {

    @Override
    public boolean keepsSteps() {
        return true;
    }

    @Override
    public Gradients backward(Solution forward, List<INDArray> outputBars) {
        OutputCotangents jumps = OutputCotangents.of(forward, outputBars);
        Gradients g = DiscreteBackprop.backward(forward.tape(), forward.tableau(), forward.steps(),
                outputBars.get(outputBars.size() - 1), jumps, forward.pool(), null);
        if (jumps.atStart() != null) {
            g.initialState().addi(jumps.atStart());
        }
        return g;
    }
}
