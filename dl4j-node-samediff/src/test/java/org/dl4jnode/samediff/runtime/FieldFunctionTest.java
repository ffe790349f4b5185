package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.field.MlpField;
import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.Parameterization;
import org.dl4jnode.samediff.solve.ArrayAlgebra;
import org.dl4jnode.samediff.solve.FixedGrid;
import org.dl4jnode.samediff.solve.RungeKutta;
import org.dl4jnode.samediff.tableau.ButcherTableau;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An affine time-dependent field, f = h W0 + b0 + t Wt, whose products are known in closed form. */
@ExtendWith(DoublePrecision.class)
class FieldFunctionTest {

    private static final double T = 0.7;
    private INDArray w0;
    private INDArray b0;
    private INDArray wt;
    private INDArray h;
    private INDArray a;


    private FieldFunction affineField() {
        Nd4j.getRandom().setSeed(7);
        w0 = Nd4j.randn(DataType.DOUBLE, 3, 3);
        b0 = Nd4j.randn(DataType.DOUBLE, 1, 3);
        wt = Nd4j.randn(DataType.DOUBLE, 1, 3);
        h = Nd4j.randn(DataType.DOUBLE, 4, 3);
        a = Nd4j.randn(DataType.DOUBLE, 4, 3);
        FieldFunction f = new FieldFunction(MlpField.of(), Parameterization.DIRECT, new long[] {3}, DataType.DOUBLE);
        f.bind(Map.of("W0", w0, "b0", b0, MlpField.TIME_WEIGHT_KEY, wt));
        return f;
    }

    @Test
    void evaluatesTheField() {
        FieldFunction f = affineField();
        INDArray expected = h.mmul(w0).addRowVector(b0).addRowVector(wt.mul(T));
        assertThat(f.evaluate(T, h).equalsWithEps(expected, 1e-12)).isTrue();
        assertThat(f.evaluations()).isEqualTo(1);
    }

    @Test
    void vectorJacobianProductsMatchTheClosedForm() {
        FieldFunction f = affineField();
        FieldFunction.Vjp vjp = f.vjp(T, h, a);
        assertThat(vjp.state().equalsWithEps(a.mmul(w0.transpose()), 1e-12)).isTrue();
        assertThat(vjp.params().get("W0").equalsWithEps(h.transpose().mmul(a), 1e-12)).isTrue();
        assertThat(vjp.params().get("b0").equalsWithEps(a.sum(true, 0), 1e-12)).isTrue();
        assertThat(vjp.params().get(MlpField.TIME_WEIGHT_KEY).equalsWithEps(a.sum(true, 0).mul(T), 1e-12)).isTrue();
        assertThat(f.vjpEvaluations()).isEqualTo(1);
    }

    @Test
    void readsBoundParametersByReference() {
        FieldFunction f = affineField();
        INDArray before = f.evaluate(T, h);
        b0.addi(1.0);
        INDArray after = f.evaluate(T, h);
        assertThat(after.sub(before).equalsWithEps(Nd4j.ones(DataType.DOUBLE, 4, 3), 1e-12)).isTrue();
        assertThat(before.equalsWithEps(after, 1e-3)).as("first result kept its values").isFalse();
    }

    @Test
    void aSolveGivesTheSameResultEveryTimeWhenItsArraysShareOneShape() {
        // hidden width = state size, parameters bound as views of one flat vector (as DL4J binds them): SameDiff's
        // array cache, if on, recycles intermediates of f's shape into arrays the solver still holds
        Nd4j.getRandom().setSeed(11);
        FieldFunction f = new FieldFunction(MlpField.of(3), Parameterization.DIRECT, new long[] {3}, DataType.DOUBLE);
        INDArray flat = Nd4j.randn(DataType.DOUBLE, 1, 100);
        Map<String, INDArray> params = new HashMap<>();
        long offset = 0;
        for (ParamSpec p : f.trainable()) {
            params.put(p.key(), flat.get(NDArrayIndex.interval(0, 0, true),
                    NDArrayIndex.interval(offset, offset + p.length())).reshape('f', p.shape()));
            offset += p.length();
        }
        f.bind(params);
        RungeKutta<INDArray> rk4 = new RungeKutta<>(ButcherTableau.RK4, ArrayAlgebra.INSTANCE);
        FixedGrid grid = new FixedGrid(0, 1, 3);
        INDArray h = Nd4j.randn(DataType.DOUBLE, 5, 3);

        INDArray first = grid.integrate(rk4, f::evaluate, h, null);
        INDArray copy = first.dup();
        for (int i = 0; i < 3; i++) {
            grid.integrate(rk4, f::evaluate, Nd4j.randn(DataType.DOUBLE, 5, 3), null);
        }
        assertThat(first).as("an earlier result, after later solves").isEqualTo(copy);
        assertThat(grid.integrate(rk4, f::evaluate, h, null)).as("the same solve again").isEqualTo(copy);
    }

    @Test
    void buildingAndDifferentiatingPrintsNothingOnStdout() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured));
        try {
            FieldFunction f = affineField();
            f.vjp(T, h, a);
            f.evaluate(T, h);
        } finally {
            System.setOut(original);
        }
        assertThat(captured.toString()).isEmpty();
    }

    @Test
    void rejectsAParameterOfTheWrongShape() {
        FieldFunction f = new FieldFunction(MlpField.of(), Parameterization.DIRECT, new long[] {3}, DataType.DOUBLE);
        assertThatThrownBy(() -> f.bind(Map.of("W0", Nd4j.zeros(2, 3), "b0", Nd4j.zeros(1, 3),
                MlpField.TIME_WEIGHT_KEY, Nd4j.zeros(1, 3))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("W0").hasMessageContaining("[3, 3]");
    }

    @Test
    void aTapeReadsTheBindingItWasMadeWithNotALaterOne() {
        FieldFunction f = affineField();
        INDArray expected = f.evaluate(T, h);
        FieldFunction.Vjp expectedVjp = f.vjp(T, h, a);
        try (EvaluationTape tape = f.tape()) {
            // another solve binds other parameters before this tape's backward pass
            f.bind(Map.of("W0", w0.mul(2), "b0", b0.mul(-1), MlpField.TIME_WEIGHT_KEY, wt.mul(3)));
            assertThat(f.evaluate(T, h).equalsWithEps(expected, 1e-6)).as("the new binding is in force").isFalse();
            INDArray value = tape.evaluate(T, h);
            assertThat(value.equalsWithEps(expected, 1e-12)).isTrue();
            FieldFunction.Vjp vjp = tape.vjp(T, h, value, a);
            assertThat(vjp.state().equalsWithEps(expectedVjp.state(), 1e-12)).isTrue();
            assertThat(vjp.params().get("W0").equalsWithEps(expectedVjp.params().get("W0"), 1e-12)).isTrue();
            assertThat(tape.binding()).isNotSameAs(f.binding());
        }
    }
}
