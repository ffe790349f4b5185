package org.dl4jnode.layers;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.samediff.runtime.SolveFailure;
import org.dl4jnode.samediff.runtime.Solution;
import org.dl4jnode.samediff.solve.AdaptiveGrid;
import org.dl4jnode.samediff.solve.ArrayAlgebra;
import org.dl4jnode.samediff.solve.FixedGrid;
import org.dl4jnode.samediff.solve.TimeGrid;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.util.Arrays;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * Why one layer's solve failed, said so that a user can act on it: the layer and its index, the
 * stepping, the span and the evaluations so far, and the likely cause. NaN or infinite values in the
 * layer's input or parameters are blamed before the field's steepness; they are looked for only after
 * a failure, so a healthy solve pays nothing for them.
 */
final class SolveDiagnosis {

    /** A layer's retried or skipped solves are logged the first time and every this many after. */
    static final long LOG_EVERY = 100;

    private final BaseOdeLayer conf;
    private final IntSupplier index;

    /** {@code index}: the layer's index in its network, which DL4J sets after the layer is made. */
    SolveDiagnosis(BaseOdeLayer conf, IntSupplier index) {
        this.conf = conf;
        this.index = index;
    }

    /** The layer, for messages: {@code OdeLayer 'ode' (index 1)}. */
    String where() {
        return conf.describe() + " (index " + index.getAsInt() + ")";
    }

    /** A solver's failure, told as the layer's. */
    FailedSolve failure(SolveFailure e) {
        TimeGrid grid = e.grid();
        return new FailedSolve(where() + ", " + e.pass() + " (" + stepping(grid) + " from " + grid.t0()
                + " to " + grid.t1() + "): " + e.getMessage() + ", NFE so far " + e.evaluations(), e);
    }

    /**
     * Every output state of {@code s} is finite, or an error blaming the input {@code x}, the
     * parameters or the step size.
     */
    void checkFinite(INDArray x, Map<String, INDArray> params, Solution s, OutputPlan plan) {
        for (int k = 0; k < s.states().size(); k++) {
            if (!ArrayAlgebra.isFinite(s.states().get(k))) {
                rejectNonFinite(x, params);
                throw new FailedSolve(where() + ": the ODE state became NaN or infinite by t = " + plan.timeOf(k, conf)
                        + " (" + stepping(SolveGrids.whole(conf)) + "); the field may be too steep for this step size");
            }
        }
    }

    /** After a failed solve: blames the layer's input or parameters when they hold NaN or infinite values. */
    void rejectNonFinite(INDArray x, Map<String, INDArray> params) {
        INDArray rows = x.reshape(x.size(0), x.length() / x.size(0));
        INDArray perExample = Nd4j.getExecutioner().exec(new MatchCondition(rows, Conditions.notFinite(), 1));
        long count = perExample.sumNumber().longValue();
        if (count > 0) {
            long first = 0;
            while (perExample.getDouble(first) == 0) {
                first++;
            }
            throw new IllegalArgumentException(where() + ": the layer input holds " + count + " NaN or infinite "
                    + "value(s) (the first in example " + first + " of " + x.size(0) + "); an ODE cannot be solved "
                    + "from it, check the data and the layers before this one");
        }
        rejectNonFiniteParameters(params);
    }

    /** NaN or infinite parameters: training diverged, and no later solve can succeed. */
    void rejectNonFiniteParameters(Map<String, INDArray> params) {
        for (Map.Entry<String, INDArray> p : params.entrySet()) {
            if (!ArrayAlgebra.isFinite(p.getValue())) {
                throw new IllegalStateException(where() + ": parameter " + p.getKey() + " holds NaN or infinite "
                        + "values; training diverged before this solve (lower the learning rate or clip gradients)");
            }
        }
    }

    /** The layer's input has the state's shape, with the columns of output times where the layer reads them. */
    void checkInput(INDArray input) {
        long[] expected = conf.stateShape();
        expected[0] = conf.getNIn() + conf.getOutputTimesFromInput();
        boolean matches = input.rank() == expected.length + 1;
        for (int i = 0; matches && i < expected.length; i++) {
            matches = input.size(i + 1) == expected[i];
        }
        if (!matches) {
            throw new DL4JInvalidInputException(where() + ": expected input [minibatch, "
                    + Arrays.toString(expected).replaceAll("[\\[\\]]", "") + "]"
                    + (conf.hasOutputTimesFromInput() ? " (the state's " + conf.getNIn() + " columns, then "
                    + conf.getOutputTimesFromInput() + " columns of output times)" : "") + ", got "
                    + Arrays.toString(input.shape()));
        }
    }

    private String stepping(TimeGrid grid) {
        if (grid instanceof AdaptiveGrid adaptive) {
            return conf.getSolver() + " with rtol = " + adaptive.tolerances().rtol() + ", atol = "
                    + adaptive.tolerances().atol();
        }
        return (grid instanceof FixedGrid fixed ? fixed.steps() : "?") + " steps of " + conf.getSolver();
    }
}
