package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.solve.ArrayAlgebra;
import org.dl4jnode.samediff.solve.IntegrationException;
import org.dl4jnode.samediff.solve.TimeGrid;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * {@link GradientMethod#adjoint}: the adjoint solved back over each segment from the forward state
 * at its end, its state jumping by the output's cotangent at each output time (as torchdiffeq's
 * adjoint does); the parameter and input gradients summed over the segments.
 */
final class Adjoint implements GradientMethod {

    private static final String PASS = "the adjoint solve";

    private final UnaryOperator<TimeGrid> backwards;
    private final boolean seminorm;

    Adjoint(UnaryOperator<TimeGrid> backwards, boolean seminorm) {
        this.backwards = backwards;
        this.seminorm = seminorm;
    }

    @Override
    public boolean keepsSteps() {
        return false;
    }

    @Override
    public Gradients backward(Solution forward, List<INDArray> outputBars) {
        FieldFunction f = forward.field();
        int outputs = outputBars.size();
        INDArray a = outputBars.get(outputs - 1);
        Map<String, INDArray> params = new LinkedHashMap<>();
        INDArray input = null;
        for (int k = outputs - 1; k >= 0; k--) {
            if (k < outputs - 1) {
                a.addi(outputBars.get(k));
            }
            TimeGrid segment = forward.segments().get(k);
            if (segment == null) {
                continue; // this output is h(t0): nothing to integrate before it
            }
            TimeGrid grid = backwards.apply(segment);
            long before = f.evaluations();
            Gradients g;
            try {
                g = AdjointSolve.backward(f, forward.binding(), forward.tableau(), grid, forward.states().get(k), a,
                        forward.pool(), seminorm, forward.backwardStatistics());
            } catch (IntegrationException e) {
                throw new SolveFailure(PASS, grid, f.evaluations() - before, e.getMessage(), e);
            }
            if (!ArrayAlgebra.isFinite(g.initialState())
                    || !g.params().values().stream().allMatch(ArrayAlgebra::isFinite)) {
                throw new SolveFailure(PASS, grid, f.evaluations() - before, "the adjoint state became NaN or "
                        + "infinite on the way back from t = " + grid.t0() + " to t = " + grid.t1() + "; recomputing "
                        + "h backwards may be unstable for this field, try GradientMode.BACKPROP", null);
            }
            // the previous segment's dL/dh at its start is carried into this one's (a caller's array is ignored)
            forward.pool().giveBack(a);
            a = g.initialState();
            g.params().forEach((key, value) -> params.merge(key, value, (sum, part) -> accumulate(forward, sum, part)));
            if (g.input() != null) {
                input = input == null ? g.input() : accumulate(forward, input, g.input());
            }
        }
        return new Gradients(a, params, input);
    }

    /** {@code sum += part}, giving {@code part}, a segment's gradient, back to the solve's pool. */
    private static INDArray accumulate(Solution forward, INDArray sum, INDArray part) {
        sum.addi(part);
        forward.pool().giveBack(part);
        return sum;
    }

}
