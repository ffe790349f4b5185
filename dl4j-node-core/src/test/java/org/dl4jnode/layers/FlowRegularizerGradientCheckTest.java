package org.dl4jnode.layers;

import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.Augmentation;
import org.dl4jnode.conf.AugmentedOdeLayer;
import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.GalerkinOdeLayer;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.samediff.regularizer.FlowRegularizer;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DL4J's numerical gradient check, in double precision, of networks whose ODE layer carries flow
 * regularisers: the score then holds the penalties, so a wrong penalty gradient fails the check.
 * Every regulariser alone on a fixed grid, on adaptive steps and with the adjoint; all three together
 * on each layer type, with data control, on a second-order state, a conv field and a graph.
 */
@ExtendWith(DoublePrecision.class)
class FlowRegularizerGradientCheckTest {

    /** Weights large enough that the penalties' gradients are a sizeable part of the score's. */
    private static final FlowRegularizer STABILITY = FlowRegularizer.finalStateStability(0.7);
    private static final FlowRegularizer KINETIC = FlowRegularizer.kineticEnergy(0.5);
    private static final FlowRegularizer JACOBIAN = FlowRegularizer.jacobianFrobenius(0.3).seed(11);
    private static final FlowRegularizer[] ALL = {STABILITY, KINETIC, JACOBIAN};

    /** The three ways of solving: a fixed grid and adaptive steps, backpropagated, and the adjoint. */
    private static final List<Named<UnaryOperator<BaseOdeLayer.Builder<?>>>> SOLVES = List.of(
            new Named<>("RK4, 3 steps", b -> b.solver(Solver.RK4).steps(3)),
            new Named<>("DOPRI5 adaptive", b -> b.solver(Solver.DOPRI5).tolerances(1e-9, 1e-9)),
            new Named<>("adjoint", b -> b.solver(Solver.DOPRI5).tolerances(1e-10, 1e-10)
                    .gradient(GradientMode.ADJOINT)));

    private record Named<T>(String name, T value) {
    }

    static Stream<Arguments> eachRegularizerAndSolve() {
        List<Arguments> out = new ArrayList<>();
        for (FlowRegularizer r : ALL) {
            for (Named<UnaryOperator<BaseOdeLayer.Builder<?>>> solve : SOLVES) {
                out.add(Arguments.of(r, solve.name(), solve.value()));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("eachRegularizerAndSolve")
    void eachRegularizerOnEverySolve(FlowRegularizer r, String solveName,
                                     UnaryOperator<BaseOdeLayer.Builder<?>> solve) {
        OdeLayer.Builder b = new OdeLayer.Builder().name("ode").field(VectorField.mlp(4)).regularizers(r);
        solve.apply(b);
        assertExact(b.build(), 1);
    }

    @Test
    void allThreeOnAGalerkinLayer() {
        assertExact(new GalerkinOdeLayer.Builder().name("ode").field(VectorField.mlp(3)).basis(Basis.fourier(1))
                .higherModeScale(0.5).solver(Solver.RK4).steps(3).regularizers(ALL).build(), 2);
    }

    @Test
    void allThreeOnASecondOrderAugmentedLayer() {
        assertExact(new AugmentedOdeLayer.Builder().name("ode").field(VectorField.mlp(4))
                .augmentation(Augmentation.secondOrder()).solver(Solver.RK4).steps(3).regularizers(ALL).build(), 3);
    }

    @Test
    void allThreeWithDataControlAndAdaptiveDepth() {
        // the probe rides in the solve's constants after the layer input: both paths of x's gradient are checked
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(new OdeLayer.Builder().name("ode")
                .field(VectorField.mlp(4)).dataControlled(true).adaptiveDepth(3).solver(Solver.RK4).steps(3)
                .regularizers(ALL).build(), DataType.DOUBLE, 4);
        OdeNetworks.perturb(net.getLayer(1), "depthW1", 0.4, 4);
        assertThat(OdeNetworks.gradientsAreExact(net, 4)).isTrue();
    }

    @Test
    void allThreeWithOutputTimes() {
        MultiLayerNetwork net = OdeLayerOutputTimesTest.trajectoryNetwork(new OdeLayer.Builder().name("ode")
                .field(VectorField.mlp(4)).outputTimes(OdeLayerOutputTimesTest.TIMES).solver(Solver.RK4)
                .steps(4).regularizers(ALL).build());
        assertThat(OdeLayerOutputTimesTest.gradientsAreExact(net, OdeLayerOutputTimesTest.TIMES.length)).isTrue();
    }

    @Test
    void allThreeOnAConvField() {
        MultiLayerNetwork net = ConvOdeLayerGradientCheckTest.network(new OdeLayer.Builder().name("ode")
                .field(VectorField.conv(2, 3).activation(Activation.SIGMOID)).solver(Solver.RK4).steps(2)
                .regularizers(ALL).build(), 5);
        assertThat(ConvOdeLayerGradientCheckTest.gradientsAreExact(net, 5)).isTrue();
    }

    @Test
    void reluAndSoftplusFields() {
        assertExact(new OdeLayer.Builder().name("ode").field(VectorField.mlp(4).activation(Activation.SOFTPLUS))
                .solver(Solver.RK4).steps(3).regularizers(ALL).build(), 6);
        assertExact(new OdeLayer.Builder().name("ode").field(VectorField.mlp(4).activation(Activation.RELU))
                .solver(Solver.RK4).steps(3).regularizers(KINETIC, JACOBIAN).build(), 7);
    }

    @Test
    void fieldsWithAnOutputActivation() {
        assertExact(new OdeLayer.Builder().name("ode").field(VectorField.mlp(4).outputActivation(Activation.SIGMOID))
                .solver(Solver.RK4).steps(3).regularizers(ALL).build(), 9);
        assertExact(new OdeLayer.Builder().name("ode").field(VectorField.mlp().outputActivation(Activation.TANH))
                .solver(Solver.RK4).steps(3).regularizers(KINETIC, JACOBIAN).build(), 10);
    }

    @Test
    void computationGraph() {
        ComputationGraph net = OdeNetworks.computationGraph(new OdeLayer.Builder().name("ode")
                .field(VectorField.mlp(4)).solver(Solver.RK4).steps(3).regularizers(ALL).build(), DataType.DOUBLE, 8);
        assertThat(OdeNetworks.gradientsAreExact(net, 8)).isTrue();
    }

    private static void assertExact(Layer ode, long seed) {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(ode, DataType.DOUBLE, seed);
        assertThat(OdeNetworks.gradientsAreExact(net, seed)).as("gradient check of %s", ode).isTrue();
    }
}
