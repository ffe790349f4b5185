package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.field.MlpField;
import org.dl4jnode.samediff.param.Parameterization;
import org.dl4jnode.samediff.solve.AdaptiveGrid;
import org.dl4jnode.samediff.solve.ArrayPool;
import org.dl4jnode.samediff.solve.FixedGrid;
import org.dl4jnode.samediff.solve.SolveStatistics;
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

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The adjoint on dh/dt = h W with diagonal W = diag(lambda), where every gradient is known in closed
 * form: for L = sum c . h(T), {@code dL/dh0 = c e^{lambda T}} and
 * {@code dL/dW_jk = sum_batch h0_j c_k e^{lambda_k T} (e^{(lambda_j - lambda_k) T} - 1) / (lambda_j - lambda_k)}
 * (T where lambda_j = lambda_k): the off-diagonal entries are gradients of weights that are zero.
 */
@ExtendWith(DoublePrecision.class)
class AdjointSolveTest {

    private static final double T = 1.0;
    private static final double[] LAMBDA = {-0.5, 0.3, 1.0};


    private final INDArray w = Nd4j.diag(Nd4j.createFromArray(LAMBDA));
    private final INDArray h0 = Nd4j.createFromArray(new double[][] {{1.0, -0.5, 0.25}, {0.3, 0.8, -1.2}});
    private final INDArray c = Nd4j.createFromArray(new double[][] {{0.7, 0.2, -0.4}, {-1.0, 0.5, 0.9}});

    private FieldFunction linearField() {
        FieldFunction f = new FieldFunction(MlpField.of().timeDependent(false), Parameterization.DIRECT,
                new long[] {3}, DataType.DOUBLE);
        f.bind(Map.of("W0", w, "b0", Nd4j.zeros(DataType.DOUBLE, 1, 3)));
        return f;
    }

    private static INDArray exactFlow(INDArray h) {
        INDArray out = h.dup();
        for (int k = 0; k < LAMBDA.length; k++) {
            out.getColumn(k).muli(Math.exp(LAMBDA[k] * T));
        }
        return out;
    }

    private INDArray exactWeightGradient() {
        INDArray g = Nd4j.zeros(DataType.DOUBLE, 3, 3);
        for (int b = 0; b < h0.rows(); b++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 3; k++) {
                    double d = LAMBDA[j] - LAMBDA[k];
                    double integral = d == 0 ? T : (Math.exp(d * T) - 1) / d;
                    g.putScalar(j, k, g.getDouble(j, k)
                            + h0.getDouble(b, j) * c.getDouble(b, k) * Math.exp(LAMBDA[k] * T) * integral);
                }
            }
        }
        return g;
    }

    private Gradients adjoint(ButcherTableau tableau, TimeGrid backwards) {
        FieldFunction f = linearField();
        return AdjointSolve.backward(f, f.binding(), tableau, backwards, exactFlow(h0), c, new ArrayPool(1 << 20));
    }

    private double weightError(Gradients g) {
        INDArray exact = exactWeightGradient();
        return g.params().get("W0").sub(exact).norm2Number().doubleValue() / exact.norm2Number().doubleValue();
    }

    private double stateError(Gradients g) {
        INDArray exact = exactFlow(c);
        return g.initialState().sub(exact).norm2Number().doubleValue() / exact.norm2Number().doubleValue();
    }

    @Test
    void adaptiveAdjointMatchesTheClosedFormToTheTolerance() {
        Tolerances tol = new Tolerances(1e-10, 1e-10);
        Gradients g = adjoint(ButcherTableau.DOPRI5,
                new AdaptiveGrid(T, 0, tol, StepSizeController.DEFAULT, 10_000, 0));
        assertThat(stateError(g)).isLessThan(1e-8);
        assertThat(weightError(g)).isLessThan(1e-8);
        assertThat(g.params().get("b0").sumNumber().doubleValue())
                .as("dL/db = int a dt summed over the batch")
                .isCloseTo(exactBiasGradientSum(), org.assertj.core.data.Offset.offset(1e-8));
    }

    @Test
    void theSeminormTakesFewerBackwardStepsAndStaysWithinTheTolerance() {
        for (double rtol : new double[] {1e-4, 1e-6, 1e-8}) {
            Tolerances tol = new Tolerances(rtol, rtol);
            AdaptiveGrid grid = new AdaptiveGrid(T, 0, tol, StepSizeController.DEFAULT, 10_000, 0);
            FieldFunction f = linearField();
            SolveStatistics full = new SolveStatistics();
            Gradients g = AdjointSolve.backward(f, f.binding(), ButcherTableau.DOPRI5, grid, exactFlow(h0), c,
                    new ArrayPool(1 << 20), false, full);
            SolveStatistics semi = new SolveStatistics();
            Gradients s = AdjointSolve.backward(f, f.binding(), ButcherTableau.DOPRI5, grid, exactFlow(h0), c,
                    new ArrayPool(1 << 20), true, semi);
            System.out.printf("adjoint at tol %.0e: full norm %s, weight error %.1e; seminorm %s, weight error %.1e%n",
                    rtol, full, weightError(g), semi, weightError(s));
            assertThat(semi.acceptedSteps() + semi.rejectedSteps())
                    .isLessThanOrEqualTo(full.acceptedSteps() + full.rejectedSteps());
            assertThat(stateError(s)).isLessThan(100 * rtol);
            assertThat(weightError(s)).isLessThan(100 * rtol);
        }
    }

    /** sum over batch and k of c_k (e^{lambda_k T} - 1) / lambda_k. */
    private double exactBiasGradientSum() {
        double s = 0;
        for (int b = 0; b < c.rows(); b++) {
            for (int k = 0; k < 3; k++) {
                s += c.getDouble(b, k) * (Math.exp(LAMBDA[k] * T) - 1) / LAMBDA[k];
            }
        }
        return s;
    }

    @Test
    void fixedGridAdjointConvergesAtTheMethodsOrder() {
        double coarse = weightError(adjoint(ButcherTableau.RK4, new FixedGrid(T, 0, 8)));
        double fine = weightError(adjoint(ButcherTableau.RK4, new FixedGrid(T, 0, 16)));
        assertThat(coarse).isLessThan(1e-4);
        assertThat(Math.log(coarse / fine) / Math.log(2)).as("observed order").isGreaterThan(3.5);
    }

    @Test
    void eachBackwardStageCostsOneFusedEvaluation() {
        FieldFunction f = linearField();
        AdjointSolve.backward(f, f.binding(), ButcherTableau.RK4, new FixedGrid(T, 0, 5), exactFlow(h0), c,
                new ArrayPool(1 << 20));
        assertThat(f.vjpEvaluations()).isEqualTo(20);
        assertThat(f.evaluations()).isEqualTo(20);
    }
}
