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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link OdeSolve#solveInterpolated}: the outputs read off the steps by the dense output are the
 * solution to the tolerance at fewer steps than stepping to every time; backprop differentiates the
 * interpolation exactly (against central differences on a fixed grid), the checkpointed gradient is
 * backprop's bit for bit, and the adjoint agrees with it to the tolerance.
 */
@ExtendWith(DoublePrecision.class)
class InterpolatedOutputsTest {

    private static final double[] LAMBDA = {-0.5, 0.3};
    private static final INDArray H0 = Nd4j.createFromArray(new double[][] {{1.0, -0.5}, {0.3, 0.8}});

    private static FieldFunction linearField() {
        FieldFunction f = new FieldFunction(MlpField.of().timeDependent(false), Parameterization.DIRECT,
                new long[] {2}, DataType.DOUBLE);
        f.bind(Map.of("W0", Nd4j.diag(Nd4j.createFromArray(LAMBDA)), "b0", Nd4j.zeros(DataType.DOUBLE, 1, 2)));
        return f;
    }

    private static INDArray exact(double t) {
        INDArray out = H0.dup();
        for (int k = 0; k < LAMBDA.length; k++) {
            out.getColumn(k).muli(Math.exp(LAMBDA[k] * t));
        }
        return out;
    }

    private static double[] times(int n, double end) {
        double[] t = new double[n];
        for (int k = 0; k < n; k++) {
            t[k] = end * (k + 1) / n;
        }
        return t;
    }

    /** One grid per output, from the previous time (t0 for the first): a null grid for an output at t0. */
    private static List<TimeGrid> segments(double t0, double[] times, DoubleFunction<DoubleFunction<TimeGrid>> grid) {
        List<TimeGrid> segments = new ArrayList<>();
        double from = t0;
        for (double t : times) {
            segments.add(t == from ? null : grid.apply(from).apply(t));
            from = t;
        }
        return segments;
    }

    private static DoubleFunction<DoubleFunction<TimeGrid>> adaptive(double tol) {
        return from -> to -> new AdaptiveGrid(from, to, new Tolerances(tol, tol), StepSizeController.DEFAULT, 10_000, 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"DOPRI5", "TSIT5"})
    void theOutputsAreTheSolutionToTheToleranceAtFewerSteps(String method) {
        ButcherTableau tableau = method.equals("DOPRI5") ? ButcherTableau.DOPRI5 : ButcherTableau.TSIT5;
        double[] times = times(40, 2.0);
        List<TimeGrid> segments = segments(0, times, adaptive(1e-8));
        TimeGrid whole = adaptive(1e-8).apply(0).apply(2.0);
        try (Solution interpolated = OdeSolve.solveInterpolated(linearField(), H0, whole, segments, tableau, null,
                new ArrayPool(1 << 20), 1 << 20, null);
             Solution stepped = OdeSolve.solve(linearField(), H0, segments, tableau, null, new ArrayPool(1 << 20),
                     1 << 20, null)) {
            assertThat(interpolated.states()).hasSize(times.length);
            for (int k = 0; k < times.length; k++) {
                assertThat(interpolated.states().get(k).distance2(exact(times[k]))).as("t = %s", times[k])
                        .isLessThan(1e-7);
            }
            assertThat(interpolated.statistics().acceptedSteps()).as("steps: interpolated vs one segment per output")
                    .isLessThan(stepped.statistics().acceptedSteps() / 3);
        }
    }

    @Test
    void anOutputAtT0IsTheInitialState() {
        double[] times = {0, 0.35, 1.0};
        try (Solution s = OdeSolve.solveInterpolated(linearField(), H0, adaptive(1e-8).apply(0).apply(1.0),
                segments(0, times, adaptive(1e-8)), ButcherTableau.DOPRI5, null, new ArrayPool(1 << 20), 1 << 20,
                null)) {
            assertThat(s.states().get(0)).isEqualTo(H0);
            assertThat(s.states().get(1).distance2(exact(0.35))).isLessThan(1e-7);
        }
    }

    /** sum_k c_k . h(t_k) of the interpolated solve on 7 DOPRI5 steps, outputs inside the steps. */
    private static final double[] INSIDE = {0, 0.13, 0.5, 0.61, 1.4};

    private static double loss(INDArray h0, List<INDArray> bars) {
        try (Solution s = OdeSolve.solveInterpolated(linearField(), h0, new FixedGrid(0, 1.4, 7),
                segments(0, INSIDE, from -> to -> new FixedGrid(from, to, 1)), ButcherTableau.DOPRI5, null,
                new ArrayPool(1 << 20), 1 << 20, null)) {
            double sum = 0;
            for (int k = 0; k < bars.size(); k++) {
                sum += s.states().get(k).mul(bars.get(k)).sumNumber().doubleValue();
            }
            return sum;
        }
    }

    private static List<INDArray> bars(int n) {
        Nd4j.getRandom().setSeed(3);
        List<INDArray> bars = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            bars.add(Nd4j.randn(DataType.DOUBLE, 2, 2));
        }
        return bars;
    }

    @Test
    void backpropDifferentiatesTheInterpolationExactly() {
        List<INDArray> bars = bars(INSIDE.length);
        Gradients g;
        try (Solution s = OdeSolve.solveInterpolated(linearField(), H0, new FixedGrid(0, 1.4, 7),
                segments(0, INSIDE, from -> to -> new FixedGrid(from, to, 1)), ButcherTableau.DOPRI5,
                GradientMethod.backprop(), new ArrayPool(1 << 20), 1 << 20, null)) {
            g = s.backward(bars.stream().map(INDArray::dup).toList());
        }
        double eps = 1e-6;
        for (int i = 0; i < H0.length(); i++) {
            INDArray up = H0.dup();
            up.putScalar(i, up.getDouble(i) + eps);
            INDArray down = H0.dup();
            down.putScalar(i, down.getDouble(i) - eps);
            double numeric = (loss(up, bars) - loss(down, bars)) / (2 * eps);
            assertThat(g.initialState().getDouble(i)).as("dL/dh0[%d]", i)
                    .isCloseTo(numeric, org.assertj.core.api.Assertions.within(1e-8));
        }
    }

    private static Map<String, INDArray> randomParams(FieldFunction f) {
        Nd4j.getRandom().setSeed(5);
        Map<String, INDArray> params = new HashMap<>();
        for (ParamSpec p : f.trainable()) {
            params.put(p.key(), Nd4j.randn(DataType.DOUBLE, p.shape()).muli(1.1));
        }
        return params;
    }

    private static Gradients gradients(GradientMethod method, double tol) {
        FieldFunction f = new FieldFunction(MlpField.of(8), Parameterization.DIRECT, new long[] {4}, DataType.DOUBLE);
        f.bind(randomParams(f));
        Nd4j.getRandom().setSeed(9);
        INDArray h0 = Nd4j.randn(DataType.DOUBLE, 6, 4);
        double[] times = {0.1, 0.45, 0.5, 1.2, 1.9};
        List<INDArray> bars = new ArrayList<>();
        for (int k = 0; k < times.length; k++) {
            bars.add(Nd4j.randn(DataType.DOUBLE, 6, 4));
        }
        try (Solution s = OdeSolve.solveInterpolated(f, h0, adaptive(tol).apply(0).apply(1.9),
                segments(0, times, adaptive(tol)), ButcherTableau.TSIT5, method, new ArrayPool(64L << 20),
                64L << 20, null)) {
            Gradients g = s.backward(bars);
            Map<String, INDArray> params = new HashMap<>();
            g.params().forEach((k, v) -> params.put(k, v.dup()));
            return new Gradients(g.initialState().dup(), params, null);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 4 * 14 * 24 * 8, 1L << 30})
    void theCheckpointedGradientIsBackpropsBitForBit(long budget) {
        Gradients backprop = gradients(GradientMethod.backprop(), 1e-6);
        Gradients checkpointed = gradients(GradientMethod.checkpointed(budget), 1e-6);
        assertThat(checkpointed.initialState().data().asDouble()).containsExactly(
                backprop.initialState().data().asDouble());
        backprop.params().forEach((key, value) -> assertThat(checkpointed.params().get(key).data().asDouble())
                .as(key).containsExactly(value.data().asDouble()));
    }

    @Test
    void theAdjointAgreesWithBackpropToTheTolerance() {
        Gradients backprop = gradients(GradientMethod.backprop(), 1e-10);
        Gradients adjoint = gradients(GradientMethod.adjoint(TimeGrid::reversed), 1e-10);
        double scale = backprop.initialState().norm2Number().doubleValue();
        assertThat(adjoint.initialState().distance2(backprop.initialState()) / scale).isLessThan(1e-7);
        backprop.params().forEach((key, value) -> assertThat(adjoint.params().get(key).distance2(value)
                / value.norm2Number().doubleValue()).as(key).isLessThan(1e-7));
    }

    @Test
    void aMethodWithoutDenseOutputIsRefused() {
        assertThatThrownBy(() -> OdeSolve.solveInterpolated(linearField(), H0, new FixedGrid(0, 1, 4),
                List.of(new FixedGrid(0, 0.5, 1), new FixedGrid(0.5, 1, 1)), ButcherTableau.RK4, null,
                new ArrayPool(1 << 20), 1 << 20, null)).hasMessageContaining("RK4 has no continuous extension");
        assertThatThrownBy(() -> OdeSolve.solveInterpolated(linearField(), H0, new FixedGrid(0, 1, 4),
                List.of(new FixedGrid(0, 0.5, 1), new FixedGrid(0.5, 0.9, 1)), ButcherTableau.DOPRI5, null,
                new ArrayPool(1 << 20), 1 << 20, null)).hasMessageContaining("the segments end at 0.9, the whole grid at 1.0");
    }
}
