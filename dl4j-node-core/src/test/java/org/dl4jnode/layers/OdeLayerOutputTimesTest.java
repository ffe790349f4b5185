package org.dl4jnode.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
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
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ODE layers that output the trajectory at given times, {@code [minibatch, d, T]}: the values are
 * the solution at those times, the next layer's input type is recurrent, both gradient modes pass
 * DL4J's gradient check through every output, the adjoint agrees with backprop to the tolerance,
 * outputs interpolated by the dense output are the solution at fewer evaluations and pass the gradient
 * check too, and bad times are refused at {@code build()}.
 */
@ExtendWith(DoublePrecision.class)
class OdeLayerOutputTimesTest {

    static final double[] TIMES = {0.0, 0.4, 1.0};
    private static final long SEED = 11;

    /** dense 4 -> 3 (tanh) -> the ODE layer with output times -> RnnOutputLayer (MSE, 2 outputs per time). */
    static MultiLayerNetwork trajectoryNetwork(Layer ode) {
        MultiLayerConfiguration conf = OdeNetworks.base(DataType.DOUBLE, SEED).list()
                .layer(new DenseLayer.Builder().nOut(OdeNetworks.HIDDEN).activation(Activation.TANH).build())
                .layer(ode)
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(OdeNetworks.N_IN))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static INDArray targets(int minibatch, int times, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, minibatch, 2, times).subi(0.5);
    }

    static boolean gradientsAreExact(MultiLayerNetwork net, int times) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net)
                .input(OdeNetworks.features(4, DataType.DOUBLE, 5)).labels(targets(4, times, 6))
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
    }

    private static <B extends BaseOdeLayer.Builder<B>> B common(B builder, GradientMode mode) {
        return builder.name("traj").field(VectorField.mlp(4)).outputTimes(TIMES).gradient(mode);
    }

    static Stream<Arguments> layers() {
        return Stream.of(GradientMode.BACKPROP, GradientMode.ADJOINT).flatMap(mode -> Stream.of(
                Arguments.of("OdeLayer RK4 " + mode, common(new OdeLayer.Builder(), mode).steps(mode == GradientMode.ADJOINT
                        ? 60 : 5).build()),
                Arguments.of("OdeLayer DOPRI5 " + mode, common(new OdeLayer.Builder(), mode).solver(Solver.DOPRI5)
                        .tolerances(1e-10, 1e-10).build()),
                Arguments.of("GalerkinOdeLayer " + mode, common(new GalerkinOdeLayer.Builder(), mode)
                        .basis(Basis.fourier(1)).higherModeScale(0.5).solver(Solver.DOPRI5).tolerances(1e-10, 1e-10)
                        .build()),
                Arguments.of("AugmentedOdeLayer " + mode, common(new AugmentedOdeLayer.Builder(), mode)
                        .augmentation(Augmentation.inputLayer(2)).dataControlled(true).solver(Solver.DOPRI5)
                        .tolerances(1e-10, 1e-10).build())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void everyOutputTimeIsDifferentiated(String name, Layer ode) {
        assertThat(gradientsAreExactAwayFromInitialisation(ode)).as(name).isTrue();
    }

    private static boolean gradientsAreExactAwayFromInitialisation(Layer ode) {
        MultiLayerNetwork net = trajectoryNetwork(ode);
        // away from the initialisation, so that every output time carries a different gradient
        for (String key : net.getLayer(1).paramTable().keySet()) {
            OdeNetworks.perturb(net.getLayer(1), key, 0.3, key.hashCode());
        }
        return gradientsAreExact(net, TIMES.length);
    }

    @Test
    void theOutputsAreTheSolutionAtTheTimes() {
        double[] times = {0.0, 0.3, 1.1, 2.0};
        MultiLayerNetwork net = OdeLayerNumericsTest.linear(new OdeLayer.Builder().field(VectorField.mlp()
                .timeDependent(false)).solver(Solver.RK4).steps(64).timeSpan(0, 2.0).outputTimes(times).build());
        INDArray h0 = Nd4j.createFromArray(new double[][] {{1, 1}, {-0.5, 2}});
        INDArray out = net.output(h0);
        assertThat(out.shape()).containsExactly(2, 2, times.length);
        for (int k = 0; k < times.length; k++) {
            INDArray atK = out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(k));
            assertThat(atK.distance2(OdeLayerNumericsTest.exact(h0, times[k]))).as("t = %s", times[k])
                    .isLessThan(1e-7);
        }
        INDArray adaptive = OdeLayerNumericsTest.linear(new OdeLayer.Builder().field(VectorField.mlp()
                .timeDependent(false)).solver(Solver.DOPRI5).tolerances(1e-10, 1e-10).timeSpan(0, 2.0)
                .outputTimes(times).build()).output(h0);
        assertThat(adaptive.distance2(out)).as("DOPRI5 steps to each time exactly").isLessThan(1e-7);
    }

    @Test
    void outputTimesOnTheGridKeepTheGridExactly() {
        UnaryOperator<OdeLayer.Builder> layer = b -> b.field(VectorField.mlp(3)).solver(Solver.RK4).steps(4);
        MultiLayerNetwork plain = OdeNetworks.multiLayerNetwork(layer.apply(new OdeLayer.Builder()).build(),
                DataType.DOUBLE, SEED);
        MultiLayerNetwork traj = trajectoryNetwork(layer.apply(new OdeLayer.Builder()).outputTimes(0.5, 1.0).build());
        traj.getLayer(0).setParams(plain.getLayer(0).params());
        traj.getLayer(1).setParams(plain.getLayer(1).params());
        INDArray x = OdeNetworks.features(3, DataType.DOUBLE, 1);
        INDArray last = traj.feedForwardToLayer(1, x).get(2)
                .get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(1));
        assertThat(last).isEqualTo(plain.feedForwardToLayer(1, x).get(2));
        assertThat(((org.dl4jnode.layers.OdeLayer) traj.getLayer(1)).lastForwardEvaluations()).isEqualTo(16);
    }

    @Test
    void theNextLayerSeesARecurrentInputOfTTimes() {
        BaseOdeLayer ode = common(new OdeLayer.Builder(), GradientMode.BACKPROP).build();
        MultiLayerNetwork net = trajectoryNetwork(ode);
        assertThat(net.getLayerWiseConfigurations().getConf(1).getLayer().getOutputType(1, InputType.feedForward(3)))
                .isEqualTo(InputType.recurrent(3, TIMES.length));
        assertThat(net.output(OdeNetworks.features(5, DataType.DOUBLE, 2)).shape()).containsExactly(5, 2, TIMES.length);
        String json = net.getLayerWiseConfigurations().toJson();
        assertThat(MultiLayerConfiguration.fromJson(json)).isEqualTo(net.getLayerWiseConfigurations());
        assertThat(json).contains("\"outputTimes\" : [ 0.0, 0.4, 1.0 ]");
    }

    @ParameterizedTest
    @ValueSource(doubles = {1e-6, 1e-9})
    void theAdjointAgreesWithBackpropToTheTolerance(double tol) {
        MultiLayerNetwork backprop = trajectoryNetwork(common(new OdeLayer.Builder(), GradientMode.BACKPROP)
                .solver(Solver.DOPRI5).tolerances(tol, tol).build());
        MultiLayerNetwork adjoint = trajectoryNetwork(common(new OdeLayer.Builder(), GradientMode.ADJOINT)
                .solver(Solver.DOPRI5).tolerances(tol, tol).build());
        OdeNetworks.perturb(backprop.getLayer(1), "W0", 0.5, 3);
        adjoint.setParams(backprop.params());
        INDArray exact = gradient(backprop);
        INDArray adj = gradient(adjoint);
        double relative = adj.distance2(exact) / exact.norm2Number().doubleValue();
        System.out.printf("output times, DOPRI5 tol %.0e: adjoint vs backprop %.2e%n", tol, relative);
        assertThat(relative).isLessThan(100 * tol);
    }

    private static INDArray gradient(MultiLayerNetwork net) {
        net.setInput(OdeNetworks.features(16, DataType.DOUBLE, 3));
        net.setLabels(targets(16, TIMES.length, 4));
        net.computeGradientAndScore();
        return net.gradient().gradient().dup();
    }

    static Stream<Arguments> interpolatedLayers() {
        return Stream.of(
                Arguments.of("OdeLayer DOPRI5 BACKPROP", common(new OdeLayer.Builder(), GradientMode.BACKPROP)
                        .solver(Solver.DOPRI5).tolerances(1e-10, 1e-10).interpolateOutputs(true).build()),
                Arguments.of("OdeLayer TSIT5 CHECKPOINTED", common(new OdeLayer.Builder(), GradientMode.CHECKPOINTED)
                        .checkpointMemory(2048).solver(Solver.TSIT5).tolerances(1e-10, 1e-10).interpolateOutputs(true)
                        .build()),
                Arguments.of("OdeLayer TSIT5 ADJOINT", common(new OdeLayer.Builder(), GradientMode.ADJOINT)
                        .solver(Solver.TSIT5).tolerances(1e-10, 1e-10).interpolateOutputs(true).build()),
                Arguments.of("GalerkinOdeLayer DOPRI5 BACKPROP", common(new GalerkinOdeLayer.Builder(),
                        GradientMode.BACKPROP).basis(Basis.fourier(1)).higherModeScale(0.5).solver(Solver.DOPRI5)
                        .tolerances(1e-10, 1e-10).interpolateOutputs(true).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("interpolatedLayers")
    void interpolatedOutputsAreDifferentiated(String name, Layer ode) {
        assertThat(gradientsAreExactAwayFromInitialisation(ode)).as(name).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"DOPRI5", "TSIT5"})
    void interpolatedOutputsAreTheSolutionAtFewerEvaluations(String solver) {
        double[] times = new double[25];
        for (int k = 0; k < times.length; k++) {
            times[k] = 2.0 * (k + 1) / times.length;
        }
        UnaryOperator<OdeLayer.Builder> layer = b -> b.field(VectorField.mlp().timeDependent(false))
                .solver(Solver.valueOf(solver)).tolerances(1e-8, 1e-8).timeSpan(0, 2.0).outputTimes(times);
        MultiLayerNetwork interpolated = OdeLayerNumericsTest.linear(layer.apply(new OdeLayer.Builder())
                .interpolateOutputs(true).build());
        MultiLayerNetwork stepped = OdeLayerNumericsTest.linear(layer.apply(new OdeLayer.Builder()).build());
        INDArray h0 = Nd4j.createFromArray(new double[][] {{1, 1}, {-0.5, 2}});
        INDArray out = interpolated.output(h0);
        for (int k = 0; k < times.length; k++) {
            INDArray atK = out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(k));
            assertThat(atK.distance2(OdeLayerNumericsTest.exact(h0, times[k]))).as("t = %s", times[k])
                    .isLessThan(1e-6);
        }
        stepped.output(h0);
        long interpolatedNfe = ((org.dl4jnode.layers.OdeLayer) interpolated.getLayer(0)).lastForwardEvaluations();
        long steppedNfe = ((org.dl4jnode.layers.OdeLayer) stepped.getLayer(0)).lastForwardEvaluations();
        System.out.printf("%s, 25 output times, tol 1e-8: NFE %d interpolated, %d stepping to each time%n", solver,
                interpolatedNfe, steppedNfe);
        assertThat(interpolatedNfe).isLessThan(steppedNfe / 2);
    }

    @Test
    void interpolateOutputsRoundTripsAndNeedsAdaptiveDenseOutput() {
        BaseOdeLayer ode = common(new OdeLayer.Builder(), GradientMode.BACKPROP).solver(Solver.TSIT5)
                .tolerances(1e-5, 1e-5).interpolateOutputs(true).build();
        MultiLayerNetwork net = trajectoryNetwork(ode);
        String json = net.getLayerWiseConfigurations().toJson();
        assertThat(json).contains("\"interpolateOutputs\" : true");
        assertThat(MultiLayerConfiguration.fromJson(json)).isEqualTo(net.getLayerWiseConfigurations());
        assertThat(MultiLayerConfiguration.fromJson(json.replace("\"interpolateOutputs\" : true,", "")).getConf(1)
                .getLayer()).as("a file without the field: stepped outputs")
                .satisfies(l -> assertThat(((BaseOdeLayer) l).isInterpolateOutputs()).isFalse());
        assertThatThrownBy(() -> new OdeLayer.Builder().name("t").field(VectorField.mlp(2)).solver(Solver.DOPRI5)
                .tolerances(1e-5, 1e-5).interpolateOutputs(true).build())
                .hasMessageContaining("OdeLayer 't': interpolateOutputs(true) reads output times between steps, but "
                        + "no outputTimes are set");
        assertThatThrownBy(() -> new OdeLayer.Builder().name("t").field(VectorField.mlp(2)).solver(Solver.DOPRI5)
                .steps(8).outputTimes(0.5, 1).interpolateOutputs(true).build())
                .hasMessageContaining("needs adaptive stepping (tolerances(rtol, atol))");
        assertThatThrownBy(() -> new OdeLayer.Builder().name("t").field(VectorField.mlp(2)).solver(Solver.BOSH3)
                .tolerances(1e-5, 1e-5).outputTimes(0.5, 1).interpolateOutputs(true).build())
                .hasMessageContaining("needs a solver with dense output (DOPRI5, TSIT5), got BOSH3");
    }

    @Test
    void badOutputTimesAreRefusedAtBuild() {
        assertThatThrownBy(() -> new OdeLayer.Builder().name("t").field(VectorField.mlp(2)).outputTimes(0.5, 0.2)
                .build()).hasMessageContaining("OdeLayer 't'").hasMessageContaining("must increase, got 0.5 then 0.2");
        assertThatThrownBy(() -> new OdeLayer.Builder().name("t").field(VectorField.mlp(2)).outputTimes(0.5, 1.5)
                .build()).hasMessageContaining("output time 1 = 1.5 is outside the time span [0.0, 1.0]");
        assertThatThrownBy(() -> new OdeLayer.Builder().name("t").field(VectorField.mlp(2)).outputTimes()
                .build()).hasMessageContaining("T = 0");
        assertThatThrownBy(() -> new OdeLayer.Builder().name("t").field(VectorField.mlp(2)).outputTimes(Double.NaN)
                .build()).hasMessageContaining("output time 0 = NaN");
        assertThatThrownBy(() -> new OdeLayer.Builder().name("t").field(VectorField.conv(2, 3)).outputTimes(1.0)
                .build()).hasMessageContaining("needs a feed-forward field");
    }
}
