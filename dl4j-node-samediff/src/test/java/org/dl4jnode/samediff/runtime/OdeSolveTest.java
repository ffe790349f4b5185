package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.field.MlpField;
import org.dl4jnode.samediff.param.Parameterization;
import org.dl4jnode.samediff.solve.ArrayPool;
import org.dl4jnode.samediff.solve.FixedGrid;
import org.dl4jnode.samediff.solve.TimeGrid;
import org.dl4jnode.samediff.tableau.ButcherTableau;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The solve entry point on dh/dt = h W, W = diag(lambda) (so h(t) = h0 e^{lambda t}), without DL4J:
 * outputs at every segment end, and gradients through them by both gradient methods.
 */
@ExtendWith(DoublePrecision.class)
class OdeSolveTest {

    private static final double[] LAMBDA = {-0.5, 0.3};
    private final INDArray h0 = Nd4j.createFromArray(new double[][] {{1.0, -0.5}, {0.3, 0.8}});

    private static FieldFunction linearField() {
        FieldFunction f = new FieldFunction(MlpField.of().timeDependent(false), Parameterization.DIRECT,
                new long[] {2}, DataType.DOUBLE);
        f.bind(Map.of("W0", Nd4j.diag(Nd4j.createFromArray(LAMBDA)), "b0", Nd4j.zeros(DataType.DOUBLE, 1, 2)));
        return f;
    }

    private INDArray exact(double t) {
        INDArray out = h0.dup();
        for (int k = 0; k < LAMBDA.length; k++) {
            out.getColumn(k).muli(Math.exp(LAMBDA[k] * t));
        }
        return out;
    }

    /** Segments [0, 0.5] and [0.5, 1.5], each 16 RK4 steps; an output at t0 first. */
    private static List<TimeGrid> segments() {
        return Arrays.asList(null, new FixedGrid(0, 0.5, 16), new FixedGrid(0.5, 1.5, 16));
    }

    private Solution solve(GradientMethod gradient) {
        return OdeSolve.solve(linearField(), h0, segments(), ButcherTableau.RK4, gradient, new ArrayPool(1 << 20),
                1 << 20);
    }

    @Test
    void outputsTheStateAtEverySegmentEnd() {
        try (Solution s = solve(null)) {
            assertThat(s.states()).hasSize(3);
            assertThat(s.states().get(0)).isEqualTo(h0);
            assertThat(s.states().get(1).distance2(exact(0.5))).isLessThan(1e-8);
            assertThat(s.states().get(2).distance2(exact(1.5))).isLessThan(1e-8);
            assertThat(s.evaluations()).isEqualTo(4 * 32);
            assertThatThrownBy(() -> s.backward(List.of(h0, h0, h0))).hasMessageContaining("inference");
        }
    }

    @Test
    void bothGradientMethodsDifferentiateEveryOutput() {
        // L = sum_k c_k . h(t_k): dL/dh0 = sum_k c_k e^{lambda t_k}
        double[] times = {0, 0.5, 1.5};
        List<INDArray> bars = List.of(Nd4j.rand(DataType.DOUBLE, 2, 2), Nd4j.rand(DataType.DOUBLE, 2, 2),
                Nd4j.rand(DataType.DOUBLE, 2, 2));
        INDArray expected = Nd4j.zeros(DataType.DOUBLE, 2, 2);
        for (int k = 0; k < times.length; k++) {
            INDArray term = bars.get(k).dup();
            for (int j = 0; j < LAMBDA.length; j++) {
                term.getColumn(j).muli(Math.exp(LAMBDA[j] * times[k]));
            }
            expected.addi(term);
        }
        Gradients backprop;
        try (Solution s = solve(GradientMethod.backprop())) {
            backprop = s.backward(bars.stream().map(INDArray::dup).toList());
        }
        Gradients adjoint;
        try (Solution s = solve(GradientMethod.adjoint(TimeGrid::reversed))) {
            adjoint = s.backward(bars.stream().map(INDArray::dup).toList());
        }
        assertThat(backprop.initialState().distance2(expected)).isLessThan(1e-8);
        assertThat(adjoint.initialState().distance2(expected)).isLessThan(1e-8);
        assertThat(adjoint.params().get("W0").distance2(backprop.params().get("W0"))).isLessThan(1e-7);
    }
}
