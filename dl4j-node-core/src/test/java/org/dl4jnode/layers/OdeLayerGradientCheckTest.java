package org.dl4jnode.layers;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DL4J's numerical gradient check, in double precision, with the ODE layer in the middle of a
 * network: its parameters and the gradient it passes to the layer below are both checked.
 */
@ExtendWith(DoublePrecision.class)
class OdeLayerGradientCheckTest {


    static Stream<Arguments> solversAndTimeDependence() {
        return Stream.of(Solver.values()).flatMap(s -> Stream.of(Arguments.of(s, true), Arguments.of(s, false)));
    }

    private static OdeLayer ode(Solver solver, boolean timeDependent) {
        return new OdeLayer.Builder()
                .name("ode")
                .field(VectorField.mlp(5).timeDependent(timeDependent))
                .solver(solver).steps(3)
                .timeSpan(0.0, 1.5)
                .build();
    }

    @ParameterizedTest(name = "{0}, time-dependent {1}")
    @MethodSource("solversAndTimeDependence")
    void multiLayerNetworkGradientsAreExact(Solver solver, boolean timeDependent) {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(ode(solver, timeDependent), DataType.DOUBLE, 12345);
        assertThat(OdeNetworks.gradientsAreExact(net, 1))
                .as("gradient check of %s, time-dependent %s", solver, timeDependent).isTrue();
    }

    /** Seed 002's activations of the field's last layer (section 3 and appendix B.1). */
    @ParameterizedTest(name = "output {0}")
    @EnumSource(value = Activation.class, names = {"TANH", "ELU", "SIGMOID", "RELU", "SOFTPLUS"})
    void fieldsWithAnOutputActivationHaveExactGradients(Activation activation) {
        OdeLayer ode = new OdeLayer.Builder().name("ode")
                .field(VectorField.mlp(5, 4).outputActivation(activation)).solver(Solver.RK4).steps(3)
                .timeSpan(0.0, 1.5).build();
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(ode, DataType.DOUBLE, 777);
        assertThat(OdeNetworks.gradientsAreExact(net, 2)).as("gradient check with output %s", activation).isTrue();
    }

    @ParameterizedTest(name = "{0}, time-dependent {1}")
    @MethodSource("solversAndTimeDependence")
    void computationGraphGradientsAreExact(Solver solver, boolean timeDependent) {
        ComputationGraph net = OdeNetworks.computationGraph(ode(solver, timeDependent), DataType.DOUBLE, 54321);
        assertThat(OdeNetworks.gradientsAreExact(net, 3))
                .as("gradient check of %s, time-dependent %s", solver, timeDependent).isTrue();
    }
}
