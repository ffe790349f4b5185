package org.dl4jnode.samediff.solve;

import org.dl4jnode.samediff.field.MlpField;
import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.Parameterization;
import org.dl4jnode.samediff.runtime.DiscreteBackprop;
import org.dl4jnode.samediff.runtime.FieldFunction;
import org.dl4jnode.samediff.runtime.Gradients;
import org.dl4jnode.samediff.tableau.ButcherTableau;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same engine, unrolled into a SameDiff graph, agrees with the Java-stepped runtime: forward
 * values, and SameDiff's own autodiff of the graph agrees with {@link DiscreteBackprop}.
 */
@ExtendWith(DoublePrecision.class)
class GraphIntegratorTest {


    static Stream<ButcherTableau> tableaus() {
        return RungeKuttaConvergenceTest.tableaus();
    }

    @ParameterizedTest
    @MethodSource("tableaus")
    void unrolledGraphMatchesTheJavaSteppedRuntimeAndItsBackprop(ButcherTableau tab) {
        MlpField field = MlpField.of(5);
        FixedGrid grid = new FixedGrid(0.0, 1.0, 3);
        Nd4j.getRandom().setSeed(11);
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (ParamSpec p : field.parameters(2)) {
            params.put(p.key(), Nd4j.randn(DataType.DOUBLE, p.shape()).muli(0.7));
        }
        INDArray h0 = ExactSolutions.initialStates();

        SameDiff sd = SameDiff.create();
        SDVariable in = sd.var("h0", h0.dup());
        Map<String, SDVariable> vars = new LinkedHashMap<>();
        params.forEach((k, v) -> vars.put(k, sd.var(k, v.dup())));
        SDVariable out = GraphIntegrator.solve(sd, field, Parameterization.DIRECT.source(sd, vars), in, tab, grid);
        SDVariable loss = out.mul(out).sum();   // L = |h(1)|^2, so dL/dh(1) = 2 h(1)
        sd.setLossVariables(loss);
        INDArray graphOut = out.eval();
        List<String> wrt = new ArrayList<>(params.keySet());
        wrt.add("h0");
        Map<String, INDArray> graphGrads = sd.calculateGradients(Map.of(), wrt);

        FieldFunction f = new FieldFunction(field, Parameterization.DIRECT, new long[] {2}, DataType.DOUBLE);
        f.bind(params);
        List<Step<INDArray>> steps = new ArrayList<>();
        INDArray eagerOut = grid.integrate(new RungeKutta<>(tab, ArrayAlgebra.INSTANCE), f::evaluate, h0, steps::add);
        Gradients eagerGrads = DiscreteBackprop.backward(f, tab, steps, eagerOut.mul(2));

        assertThat(eagerOut.equalsWithEps(graphOut, 1e-12)).as("forward of %s", tab).isTrue();
        assertThat(eagerGrads.initialState().equalsWithEps(graphGrads.get("h0"), 1e-10)).as("dL/dh0").isTrue();
        for (String k : params.keySet()) {
            assertThat(eagerGrads.params().get(k).equalsWithEps(graphGrads.get(k), 1e-10)).as("dL/d" + k).isTrue();
        }
        long perStep = tab.isFsal() ? tab.stages() - 1 : tab.stages();
        assertThat(f.evaluations()).as("evaluations, with first-same-as-last reuse")
                .isEqualTo(grid.steps() * perStep + (tab.isFsal() ? 1 : 0));
    }
}
