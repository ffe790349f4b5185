package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Flattening a SameDiff graph into replayable forward and backward segments. */
@ExtendWith(DoublePrecision.class)
class CompiledGraphTest {


    @Test
    void replaysTheOpsAnOutputNeedsWithTheArraysBoundLast() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable w = sd.var("w", Nd4j.createFromArray(new double[][] {{1, 0}, {0, 2}, {1, 1}}));
        SDVariable y = sd.math.tanh(x.mmul(w));
        x.mul(10); // an op no output needs
        SDVariable z = y.sum();
        CompiledGraph program = CompiledGraph.compile(sd, List.of(y.name()), List.of(z.name()));
        assertThat(program.forwardOpCount()).as("mmul, tanh").isEqualTo(2);
        assertThat(program.opCount()).as("and the sum, not the unused op").isEqualTo(3);

        INDArray x1 = Nd4j.rand(DataType.DOUBLE, 4, 3);
        GraphInstance in = program.acquire("4x3", () -> Map.of("x", x1));
        in.runForward();
        assertThat(in.get(y.name())).isEqualTo(sd.output(Map.of("x", x1), y.name()).get(y.name()));

        INDArray x2 = Nd4j.rand(DataType.DOUBLE, 4, 3);
        in.bind("x", x2);
        in.runForward();
        in.runBackward();
        assertThat(in.get(z.name()).getDouble(0)).isCloseTo(sd.output(Map.of("x", x2), z.name()).get(z.name())
                .getDouble(0), org.assertj.core.data.Offset.offset(1e-12));
        assertThatThrownBy(() -> in.bind("x", Nd4j.rand(DataType.DOUBLE, 5, 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("planned as");
    }

    @Test
    void instancesOfOneShapeAreReusedOnceReleased() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 2);
        SDVariable y = x.mul(x);
        CompiledGraph program = CompiledGraph.compile(sd, List.of(y.name()), List.of());
        INDArray x1 = Nd4j.rand(DataType.DOUBLE, 3, 2);
        GraphInstance first = program.acquire("3x2", () -> Map.of("x", x1));
        GraphInstance second = program.acquire("3x2", () -> Map.of("x", x1));
        assertThat(second).as("the first is in use").isNotSameAs(first);
        program.release(first);
        assertThat(program.acquire("3x2", () -> Map.of("x", x1))).isSameAs(first);
    }

    @Test
    void opsThatReadOnlyParametersRunOncePerParameterChange() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        INDArray wValue = Nd4j.createFromArray(new double[] {1, 0, 0, 2, 1, 1});
        SDVariable w = sd.var("w", wValue);
        // as a Galerkin layer rebuilds its weights: psi [1, 1] times the coefficients as a row, reshaped
        SDVariable psi = sd.var("psi", Nd4j.ones(DataType.DOUBLE, 1, 1));
        SDVariable y = x.mmul(psi.mmul(w.reshape(1, 6)).reshape(3, 2));
        CompiledGraph program = CompiledGraph.compile(sd, List.of(y.name()), List.of());
        assertThat(program.invariantOpCount()).as("the weights' reconstruction").isEqualTo(3);
        assertThat(program.forwardOpCount()).isEqualTo(4);

        INDArray x1 = Nd4j.rand(DataType.DOUBLE, 4, 3);
        GraphInstance in = program.acquire("4x3", () -> Map.of("x", x1));
        GraphInstance other = program.acquire("4x3", () -> Map.of("x", x1));
        in.runForward();
        assertThat(in.get(y.name())).isEqualTo(x1.mmul(wValue.reshape(3, 2)));
        wValue.muli(3);
        program.parametersChanged();
        in.runForward();
        assertThat(in.get(y.name())).as("recomputed after the change").isEqualTo(x1.mmul(wValue.reshape(3, 2)));
        other.runForward();
        assertThat(other.get(y.name())).as("another instance of the pool reads the recomputed values")
                .isEqualTo(x1.mmul(wValue.reshape(3, 2)));
    }

    @Test
    void aReshapeOfAComputedValueIsAViewOfIt() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, 2, 6);
        SDVariable activation = sd.math.tanh(x);
        SDVariable reshaped = activation.reshape(3, 4);
        SDVariable y = reshaped.mul(2);
        CompiledGraph program = CompiledGraph.compile(sd, List.of(y.name()), List.of());
        INDArray x1 = Nd4j.rand(DataType.DOUBLE, 2, 6);
        GraphInstance in = program.acquire("2x6", () -> Map.of("x", x1));
        in.runForward();
        assertThat(in.get(reshaped.name()).data().address()).as("no copy")
                .isEqualTo(in.get(activation.name()).data().address());
        INDArray x2 = Nd4j.rand(DataType.DOUBLE, 2, 6);
        in.bind("x", x2);
        in.runForward();
        assertThat(in.get(y.name())).isEqualTo(sd.output(Map.of("x", x2), y.name()).get(y.name()));
    }

    @Test
    void rebindingTheShapeOfAReshapeSeenAsAViewReachesNoDroppedContext() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, 2, 6);
        SDVariable shape = sd.constant("shape", Nd4j.createFromArray(3L, 4L));
        SDVariable y = sd.math.tanh(x).reshape(shape).mul(2);
        CompiledGraph program = CompiledGraph.compile(sd, List.of(y.name()), List.of());
        INDArray x1 = Nd4j.rand(DataType.DOUBLE, 2, 6);
        GraphInstance in = program.acquire("2x6", () -> Map.of("x", x1));
        in.bind("shape", Nd4j.createFromArray(3L, 4L));
        in.runForward();
        assertThat(in.get(y.name())).isEqualTo(sd.output(Map.of("x", x1), y.name()).get(y.name()));
    }

    @Test
    void theGradientsOfASumAreTheUpstreamGradientAndItsSumOverBroadcastAxes() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable w = sd.var("w", Nd4j.rand(DataType.DOUBLE, 3, 2));
        SDVariable b = sd.var("b", Nd4j.rand(DataType.DOUBLE, 1, 2));
        SDVariable c = sd.constant("c", Nd4j.rand(DataType.DOUBLE, 4, 2));
        SDVariable loss = sd.math.tanh(x.mmul(w).add(b)).mul(c).sum();
        sd.setLossVariables(loss);
        sd.createGradFunction("x");
        String[] grads = {x.getGradient().name(), w.getGradient().name(), b.getGradient().name()};
        CompiledGraph program = CompiledGraph.compile(sd.getFunction("grad"), List.of(loss.name()), List.of(grads));
        INDArray x1 = Nd4j.rand(DataType.DOUBLE, 4, 3);
        GraphInstance in = program.acquire("4x3", () -> Map.of("x", x1));
        for (int round = 0; round < 2; round++) {
            // the second round rebinds the bias, which the replaced add_bp read
            INDArray bValue = Nd4j.rand(DataType.DOUBLE, 1, 2);
            b.setArray(bValue);
            in.bind("b", bValue);
            in.runForward();
            in.runBackward();
            Map<String, INDArray> expected = sd.calculateGradients(Map.of("x", x1), "x", "w", "b");
            assertThat(in.get(grads[0]).equalsWithEps(expected.get("x"), 1e-12)).as("dL/dx").isTrue();
            assertThat(in.get(grads[1]).equalsWithEps(expected.get("w"), 1e-12)).as("dL/dw").isTrue();
            assertThat(in.get(grads[2]).equalsWithEps(expected.get("b"), 1e-12)).as("dL/db").isTrue();
        }
    }

    @Test
    void refusesOpsItCannotReplay() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 2);
        SDVariable noisy = x.add(sd.random().normal(0, 1, DataType.DOUBLE, 2));
        assertThatThrownBy(() -> CompiledGraph.compile(sd, List.of(noisy.name()), List.of()))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("cannot be replayed");
    }
}
