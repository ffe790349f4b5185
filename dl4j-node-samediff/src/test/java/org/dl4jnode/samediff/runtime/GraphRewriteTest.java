package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replay's rewrites compute what the graph defines: a custom-op tanh for SameDiff's legacy one, and the
 * gradients of a matrix product as two products, for every combination of transposed operands.
 */
@ExtendWith(DoublePrecision.class)
class GraphRewriteTest {


    @ParameterizedTest(name = "x transposed {0}, y transposed {1}")
    @CsvSource({"false, false", "true, false", "false, true", "true, true"})
    void productGradientsAreTwoProductsForEveryTransposition(boolean tx, boolean ty) {
        Nd4j.getRandom().setSeed(5);
        SameDiff sd = SameDiff.create();
        // z = op(x) op(y) is [4, 2] with op(x) [4, 3] and op(y) [3, 2]
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, tx ? new long[] {3, 4} : new long[] {4, 3});
        SDVariable y = sd.var("y", Nd4j.randn(DataType.DOUBLE, ty ? new long[] {2, 3} : new long[] {3, 2}));
        SDVariable z = sd.mmul("z", x, y, tx, ty, false);
        SDVariable c = sd.constant("c", Nd4j.randn(DataType.DOUBLE, 4, 2));
        SDVariable loss = sd.math.tanh(z).mul(c).sum();
        sd.setLossVariables(loss);
        sd.createGradFunction("x");
        SameDiff grad = sd.getFunction("grad");
        String dx = x.getGradient().name();
        String dy = y.getGradient().name();

        CompiledGraph program = CompiledGraph.compile(grad, List.of(loss.name()), List.of(dx, dy));
        assertThat(program.opNames()).as("rewritten").doesNotContain("matmul_bp").contains("tanh", "tanh_bp");

        INDArray xValue = Nd4j.randn(DataType.DOUBLE, x.getShape());
        GraphInstance in = program.acquire("x", () -> Map.of("x", xValue));
        in.runForward();
        in.runBackward();
        Map<String, INDArray> expected = sd.calculateGradients(Map.of("x", xValue), "x", "y");
        assertThat(in.get(dx).equalsWithEps(expected.get("x"), 1e-12)).as("dL/dx").isTrue();
        assertThat(in.get(dy).equalsWithEps(expected.get("y"), 1e-12)).as("dL/dy").isTrue();
        assertThat(in.get(loss.name()).getDouble(0))
                .isCloseTo(sd.output(Map.of("x", xValue), loss.name()).get(loss.name()).getDouble(0),
                        org.assertj.core.data.Offset.offset(1e-12));
    }

    @ParameterizedTest(name = "x transposed {0}")
    @CsvSource({"false", "true"})
    void aProductNothingReadsIsDropped(boolean tx) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, tx ? new long[] {3, 4} : new long[] {4, 3});
        SDVariable y = sd.var("y", Nd4j.randn(DataType.DOUBLE, 3, 2));
        SDVariable loss = sd.mmul("z", x, y, tx, false, false).sum();
        sd.setLossVariables(loss);
        sd.createGradFunction("x");
        // only dL/dy asked for: the product giving dL/dx is not run
        CompiledGraph program = CompiledGraph.compile(sd.getFunction("grad"), List.of(loss.name()),
                List.of(y.getGradient().name()));
        assertThat(program.opNames().stream().filter("matmul"::equals).count()).as("forward and dL/dy").isEqualTo(2);
    }
}
