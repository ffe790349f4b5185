package org.dl4jnode.layers;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.GalerkinOdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.samediff.basis.FunctionBasis;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DL4J's numerical gradient check of a GalerkinOdeLayer for every basis and every solver, with
 * random higher modes so the depth dependence is really exercised.
 */
@ExtendWith(DoublePrecision.class)
class GalerkinOdeLayerGradientCheckTest {


    static Stream<FunctionBasis> bases() {
        return Stream.of(Basis.fourier(2), Basis.chebyshev(3), Basis.legendre(2), Basis.polynomial(2),
                Basis.piecewiseConstant(3));
    }

    static Stream<Arguments> basesAndSolvers() {
        return bases().flatMap(b -> Stream.of(Solver.values()).map(s -> Arguments.of(b, s)));
    }

    private static GalerkinOdeLayer galerkin(FunctionBasis basis, Solver solver) {
        return new GalerkinOdeLayer.Builder()
                .name("galerkin")
                .field(VectorField.mlp(3))
                .basis(basis).higherModeScale(0.5)
                .solver(solver).steps(2)
                .timeSpan(0.0, 1.5)
                .build();
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("basesAndSolvers")
    void multiLayerNetworkGradientsAreExact(FunctionBasis basis, Solver solver) {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(galerkin(basis, solver), DataType.DOUBLE, 12345);
        assertThat(OdeNetworks.gradientsAreExact(net, 1)).as("gradient check of %s, %s", basis, solver).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bases")
    void computationGraphGradientsAreExact(FunctionBasis basis) {
        ComputationGraph net = OdeNetworks.computationGraph(galerkin(basis, Solver.RK4), DataType.DOUBLE, 54321);
        assertThat(OdeNetworks.gradientsAreExact(net, 3)).as("gradient check of %s", basis).isTrue();
    }
}
