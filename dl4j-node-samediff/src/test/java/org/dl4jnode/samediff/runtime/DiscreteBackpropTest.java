package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.field.MlpField;
import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.Parameterization;
import org.dl4jnode.samediff.solve.AdaptiveGrid;
import org.dl4jnode.samediff.solve.ArrayAlgebra;
import org.dl4jnode.samediff.solve.ArrayPool;
import org.dl4jnode.samediff.solve.ErrorNorm;
import org.dl4jnode.samediff.solve.FixedGrid;
import org.dl4jnode.samediff.solve.RungeKutta;
import org.dl4jnode.samediff.solve.Step;
import org.dl4jnode.samediff.solve.StepSizeController;
import org.dl4jnode.samediff.solve.TimeGrid;
import org.dl4jnode.samediff.solve.Tolerances;
import org.dl4jnode.samediff.tableau.ButcherTableau;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backprop through recorded steps from the tape's kept activations equals backprop that recomputes
 * every stage, including first-same-as-last slopes; a rejected step's evaluations are released at once.
 */
@ExtendWith(DoublePrecision.class)
class DiscreteBackpropTest {


    private static FieldFunction field(double scale) {
        Nd4j.getRandom().setSeed(5);
        FieldFunction f = new FieldFunction(MlpField.of(8), Parameterization.DIRECT, new long[] {3}, DataType.DOUBLE);
        Map<String, INDArray> params = new HashMap<>();
        for (ParamSpec p : f.trainable()) {
            params.put(p.key(), Nd4j.randn(DataType.DOUBLE, p.shape()).muli(scale));
        }
        f.bind(params);
        return f;
    }

    private static void tapeEqualsRecomputation(FieldFunction f, ButcherTableau tableau, TimeGrid grid,
                                                ErrorNorm<INDArray> norm, boolean expectExtraEvaluations) {
        INDArray h0 = Nd4j.randn(DataType.DOUBLE, 4, 3);
        INDArray outBar = Nd4j.randn(DataType.DOUBLE, 4, 3);
        List<Step<INDArray>> steps = new ArrayList<>();
        try (EvaluationTape tape = f.tape()) {
            grid.integrate(new RungeKutta<>(tableau, ArrayAlgebra.INSTANCE), tape, h0, norm, steps::add);
            Set<INDArray> used = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            steps.forEach(s -> used.addAll(s.stageSlopes()));
            if (expectExtraEvaluations) {
                assertThat(f.evaluations()).as("evaluations of rejected steps and of the first step's probe")
                        .isGreaterThan(used.size());
            }
            assertThat(tape.size()).as("the tape keeps the accepted stages' evaluations only").isEqualTo(used.size());
            f.resetCounts();
            Gradients fromTape = DiscreteBackprop.backward(tape, tableau, steps, outBar);
            assertThat(f.evaluations()).as("no forward evaluation recomputed").isZero();
            Gradients recomputed = DiscreteBackprop.backward(f, tableau, steps, outBar);
            assertThat(f.evaluations()).isZero();
            assertThat(fromTape.initialState().equalsWithEps(recomputed.initialState(), 1e-12)).isTrue();
            recomputed.params().forEach((key, g) ->
                    assertThat(fromTape.params().get(key).equalsWithEps(g, 1e-12)).as(key).isTrue());
        }
    }

    @Test
    void aSolveThatReleasesEachStepsEvaluationsKeepsOnlyTheReusableSlope() {
        FieldFunction f = field(3.0);
        AdaptiveGrid grid = new AdaptiveGrid(0, 2, new Tolerances(1e-6, 1e-6), StepSizeController.DEFAULT, 10_000, 0);
        RungeKutta<INDArray> dopri = new RungeKutta<>(ButcherTableau.DOPRI5, ArrayAlgebra.INSTANCE);
        INDArray h0 = Nd4j.randn(DataType.DOUBLE, 4, 3);
        INDArray kept;
        try (EvaluationTape tape = f.tape()) {
            kept = grid.integrate(dopri, tape, h0, ErrorNorm.rms(grid.tolerances()), null);
        }
        List<Integer> sizes = new ArrayList<>();
        INDArray released;
        try (EvaluationTape tape = f.tape()) {
            released = grid.integrate(dopri, tape, h0, ErrorNorm.rms(grid.tolerances()), step -> {
                tape.releaseAllBut(step.stageSlopes().get(step.stageSlopes().size() - 1));
                sizes.add(tape.size());
            });
        }
        assertThat(sizes).hasSizeGreaterThan(5).containsOnly(1);
        assertThat(released.equalsWithEps(kept, 1e-14)).as("the same solve").isTrue();
    }

    @Test
    void aTapePastItsBudgetKeepsNothingMoreAndTheBackwardPassRecomputes() {
        FieldFunction f = field(0.5);
        INDArray h0 = Nd4j.randn(DataType.DOUBLE, 4, 3);
        INDArray outBar = Nd4j.randn(DataType.DOUBLE, 4, 3);
        FixedGrid grid = new FixedGrid(0, 1, 5);
        RungeKutta<INDArray> rk4 = new RungeKutta<>(ButcherTableau.RK4, ArrayAlgebra.INSTANCE);
        Gradients unbounded;
        long perEvaluation;
        try (EvaluationTape tape = f.tape()) {
            List<Step<INDArray>> steps = new ArrayList<>();
            grid.integrate(rk4, tape, h0, null, steps::add);
            perEvaluation = tape.keptBytes() / tape.size();
            unbounded = DiscreteBackprop.backward(tape, ButcherTableau.RK4, steps, outBar);
        }
        try (EvaluationTape tape = f.tape(7 * perEvaluation)) {
            List<Step<INDArray>> steps = new ArrayList<>();
            grid.integrate(rk4, tape, h0, null, steps::add);
            assertThat(tape.size()).as("7 of 20 evaluations kept").isEqualTo(7);
            f.resetCounts();
            Gradients bounded = DiscreteBackprop.backward(tape, ButcherTableau.RK4, steps, outBar);
            assertThat(bounded.initialState().equalsWithEps(unbounded.initialState(), 1e-12)).isTrue();
            unbounded.params().forEach((key, g) ->
                    assertThat(bounded.params().get(key).equalsWithEps(g, 1e-12)).as(key).isTrue());
        }
    }

    @Test
    void fixedStepRk4() {
        tapeEqualsRecomputation(field(0.5), ButcherTableau.RK4, new FixedGrid(0, 1, 4), null, false);
    }

    @Test
    void adaptiveDormandPrinceWithRejectedSteps() {
        // a steep field and a bold controller: rejected steps, and the initial step-size probe
        FieldFunction f = field(3.0);
        AdaptiveGrid grid = new AdaptiveGrid(0, 2, new Tolerances(1e-6, 1e-6), new StepSizeController(1.0, 0.2, 10.0),
                10_000, 0);
        tapeEqualsRecomputation(f, ButcherTableau.DOPRI5, grid, ErrorNorm.rms(grid.tolerances()), true);
    }

    @Test
    void pooledWorkingArraysGiveTheSameGradientsAndGoBack() {
        FieldFunction f = field(0.5);
        INDArray h0 = Nd4j.randn(DataType.DOUBLE, 4, 3);
        INDArray outBar = Nd4j.randn(DataType.DOUBLE, 4, 3);
        ArrayPool pool = new ArrayPool(1 << 20);
        for (int stepCount : new int[] {3, 4}) { // the result ends in either of the two swapped arrays
            try (EvaluationTape tape = f.tape()) {
                List<Step<INDArray>> steps = new ArrayList<>();
                new FixedGrid(0, 1, stepCount).integrate(new RungeKutta<>(ButcherTableau.RK4, ArrayAlgebra.INSTANCE),
                        tape, h0, null, steps::add);
                Gradients fresh = DiscreteBackprop.backward(tape, ButcherTableau.RK4, steps, outBar);
                Gradients pooled = DiscreteBackprop.backward(tape, ButcherTableau.RK4, steps, outBar, Map.of(), pool);
                assertThat(pool.outstanding()).as("working arrays given back, the results still handed out")
                        .isEqualTo(1 + pooled.params().size());
                assertThat(pooled.initialState().equalsWithEps(fresh.initialState(), 1e-15)).isTrue();
                fresh.params().forEach((key, g) ->
                        assertThat(pooled.params().get(key).equalsWithEps(g, 1e-15)).as(key).isTrue());
                // the results are not free: overwriting every free array leaves them unchanged
                INDArray result = pooled.initialState().dup();
                for (int i = 0; i < 8; i++) {
                    pool.take(DataType.DOUBLE, new long[] {4, 3}).assign(Double.NaN);
                }
                assertThat(pooled.initialState()).isEqualTo(result);
                pool.giveBackAll();
            }
        }
    }
}
