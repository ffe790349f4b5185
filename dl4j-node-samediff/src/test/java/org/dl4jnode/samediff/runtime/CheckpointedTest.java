package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.field.MlpField;
import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.Parameterization;
import org.dl4jnode.samediff.solve.AdaptiveGrid;
import org.dl4jnode.samediff.solve.ArrayPool;
import org.dl4jnode.samediff.solve.FixedGrid;
import org.dl4jnode.samediff.solve.StepSizeController;
import org.dl4jnode.samediff.solve.TimeGrid;
import org.dl4jnode.samediff.solve.Tolerances;
import org.dl4jnode.samediff.tableau.ButcherTableau;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The checkpointed gradient is backprop's to the last bit, in double, on fixed and adaptive grids, with
 * first-same-as-last and plain methods, a time-dependent field, output times, and every budget from one
 * step between checkpoints to all of them.
 */
@ExtendWith(DoublePrecision.class)
class CheckpointedTest {

    private static final long[] STATE = {6, 4};

    private static FieldFunction field() {
        Nd4j.getRandom().setSeed(5);
        FieldFunction f = new FieldFunction(MlpField.of(8), Parameterization.DIRECT, new long[] {STATE[1]},
                DataType.DOUBLE);
        Map<String, INDArray> params = new HashMap<>();
        for (ParamSpec p : f.trainable()) {
            params.put(p.key(), Nd4j.randn(DataType.DOUBLE, p.shape()).muli(1.1));
        }
        f.bind(params);
        return f;
    }

    private static Gradients gradients(ButcherTableau tableau, Supplier<List<TimeGrid>> segments, GradientMethod method) {
        FieldFunction f = field();
        Nd4j.getRandom().setSeed(9);
        INDArray h0 = Nd4j.randn(DataType.DOUBLE, STATE);
        List<TimeGrid> grids = segments.get();
        List<INDArray> bars = new java.util.ArrayList<>();
        for (int k = 0; k < grids.size(); k++) {
            bars.add(Nd4j.randn(DataType.DOUBLE, STATE));
        }
        try (Solution s = OdeSolve.solve(f, h0, grids, tableau, method, new ArrayPool(64L << 20), 64L << 20)) {
            Gradients g = s.backward(bars);
            Map<String, INDArray> params = new HashMap<>();
            g.params().forEach((k, v) -> params.put(k, v.dup()));
            return new Gradients(g.initialState().dup(), params, null);
        }
    }

    private static void assertBitwiseEqual(Gradients actual, Gradients expected, String what) {
        assertThat(actual.initialState().data().asDouble()).as(what + ": dL/dh0")
                .containsExactly(expected.initialState().data().asDouble());
        expected.params().forEach((key, value) -> assertThat(actual.params().get(key).data().asDouble())
                .as(what + ": dL/d" + key).containsExactly(value.data().asDouble()));
    }

    /** Bytes of a run of {@code steps} steps' stage arrays: the budget that gives runs of that many. */
    private static long budgetFor(int steps, ButcherTableau tableau) {
        return (long) steps * 2 * tableau.stages() * STATE[0] * STATE[1] * Double.BYTES;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 1000})
    void onAFixedGridItIsBackpropBitForBit(int stepsPerRun) {
        for (ButcherTableau tableau : new ButcherTableau[] {ButcherTableau.RK4, ButcherTableau.DOPRI5}) {
            Supplier<List<TimeGrid>> grid = () -> List.of(new FixedGrid(0, 1.7, 9));
            assertBitwiseEqual(gradients(tableau, grid, GradientMethod.checkpointed(budgetFor(stepsPerRun, tableau))),
                    gradients(tableau, grid, GradientMethod.backprop()), tableau + ", runs of " + stepsPerRun);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 1000})
    void onAnAdaptiveGridWithRejectedStepsItIsBackpropBitForBit(int stepsPerRun) {
        Tolerances tol = new Tolerances(1e-5, 1e-5);
        for (ButcherTableau tableau : new ButcherTableau[] {ButcherTableau.DOPRI5, ButcherTableau.DOPRI8}) {
            // a bold controller rejects steps
            Supplier<List<TimeGrid>> grid = () -> List.of(
                    new AdaptiveGrid(0, 1.5, tol, new StepSizeController(1.0, 0.2, 10.0), 10_000, 0));
            assertBitwiseEqual(gradients(tableau, grid, GradientMethod.checkpointed(budgetFor(stepsPerRun, tableau))),
                    gradients(tableau, grid, GradientMethod.backprop()), tableau + ", runs of " + stepsPerRun);
        }
    }

    @Test
    void withOutputTimesEachOutputsCotangentJoinsWhereItsSegmentEnds() {
        Tolerances tol = new Tolerances(1e-6, 1e-6);
        Supplier<List<TimeGrid>> segments = () -> java.util.Arrays.asList(null,
                new AdaptiveGrid(0, 0.7, tol, StepSizeController.DEFAULT, 10_000, 0),
                new AdaptiveGrid(0.7, 1.9, tol, StepSizeController.DEFAULT, 10_000, 0));
        for (int run : new int[] {1, 2, 4}) {
            assertBitwiseEqual(gradients(ButcherTableau.DOPRI5, segments,
                            GradientMethod.checkpointed(budgetFor(run, ButcherTableau.DOPRI5))),
                    gradients(ButcherTableau.DOPRI5, segments, GradientMethod.backprop()), "runs of " + run);
        }
    }

    @Test
    void theBudgetSetsTheStepsBetweenCheckpoints() {
        Checkpointed c = (Checkpointed) GradientMethod.checkpointed(budgetFor(5, ButcherTableau.RK4));
        assertThat(c.stepsPerCheckpoint(STATE[0] * STATE[1] * Double.BYTES, ButcherTableau.RK4.stages())).isEqualTo(5);
        assertThat(((Checkpointed) GradientMethod.checkpointed(1)).stepsPerCheckpoint(1 << 20, 7)).isEqualTo(1);
        assertThatThrownBy(() -> GradientMethod.checkpointed(0)).hasMessageContaining("budget >= 1 byte, got 0");
    }
}
