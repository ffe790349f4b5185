package org.dl4jnode.layers;

import org.deeplearning4j.exception.DL4JInvalidConfigException;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.io.IOException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ODE layers whose output times are each example's own, the input's last columns
 * ({@code outputTimesFromInput}): example i's column j is the solution at its time j, in any order and
 * with repeats; the outputs equal those at shared {@code outputTimes} when the times are the same; every
 * gradient mode passes DL4J's gradient check in a {@code ComputationGraph} with masked labels; the graph
 * trains and restores; times outside the span and contradicting options are refused.
 */
@ExtendWith(DoublePrecision.class)
class OdeLayerOutputTimesFromInputTest {

    private static final long SEED = 21;
    private static final int T = 3;

    /** Each example's times in [0, 2], unordered, with a repeat and t0 among them. */
    private static final double[][] TIMES = {{1.1, 0.3, 2.0}, {0.0, 0.7, 0.7}, {2.0, 1.5, 0.2}};

    /** The decaying rotation dh/dt = A h of {@link OdeLayerNumericsTest#exact}, fed [h0, times]. */
    private static MultiLayerNetwork linear(OdeLayer layer) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .list().layer(layer).setInputType(InputType.feedForward(2 + T)).build());
        net.init();
        net.getLayer(0).setParam("W0", Nd4j.createFromArray(new double[][] {{-0.1, -1}, {1, -0.1}}).transpose());
        net.getLayer(0).setParam("b0", Nd4j.zeros(DataType.DOUBLE, 1, 2));
        return net;
    }

    private static OdeLayer.Builder linearLayer() {
        return new OdeLayer.Builder().field(VectorField.mlp().timeDependent(false)).timeSpan(0, 2.0)
                .outputTimesFromInput(T);
    }

    @Test
    void eachExampleGetsTheSolutionAtItsOwnTimes() {
        INDArray h0 = Nd4j.createFromArray(new double[][] {{1, 1}, {-0.5, 2}, {0.3, -1}});
        INDArray input = Nd4j.hstack(h0, Nd4j.createFromArray(TIMES));
        for (OdeLayer layer : new OdeLayer[] {
                linearLayer().solver(Solver.RK4).steps(64).build(),
                linearLayer().solver(Solver.DOPRI5).tolerances(1e-10, 1e-10).build(),
                linearLayer().solver(Solver.TSIT5).tolerances(1e-10, 1e-10).interpolateOutputs(true).build()}) {
            INDArray out = linear(layer).output(input);
            assertThat(out.shape()).containsExactly(3, 2, T);
            for (int i = 0; i < TIMES.length; i++) {
                for (int j = 0; j < T; j++) {
                    INDArray got = out.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.point(j));
                    INDArray want = OdeLayerNumericsTest.exact(h0.getRow(i, true), TIMES[i][j]).reshape(2);
                    assertThat(got.distance2(want)).as("%s, example %d at t = %s", layer.getSolver(), i, TIMES[i][j])
                            .isLessThan(1e-7);
                }
            }
        }
    }

    @Test
    void sharedTimesGiveTheSharedOutputTimesResult() {
        double[] times = {0.3, 1.1, 2.0};
        INDArray h0 = Nd4j.createFromArray(new double[][] {{1, 1}, {-0.5, 2}});
        INDArray input = Nd4j.hstack(h0, Nd4j.createFromArray(new double[][] {times, times}));
        INDArray own = linear(linearLayer().solver(Solver.DOPRI5).tolerances(1e-6, 1e-6).interpolateOutputs(true)
                .build()).output(input);
        INDArray shared = OdeLayerNumericsTest.linear(new OdeLayer.Builder().field(VectorField.mlp()
                .timeDependent(false)).timeSpan(0, 2.0).solver(Solver.DOPRI5).tolerances(1e-6, 1e-6)
                .interpolateOutputs(true).outputTimes(times).build()).output(h0);
        assertThat(own).as("the same solve, the same steps").isEqualTo(shared);
    }

    @Test
    void interpolationSolvesOnceWhereSteppingEndsAStepAtEveryDistinctTime() {
        Nd4j.getRandom().setSeed(3);
        INDArray times = Nd4j.rand(DataType.DOUBLE, 8, T).muli(2.0);
        INDArray input = Nd4j.hstack(Nd4j.rand(DataType.DOUBLE, 8, 2), times);
        MultiLayerNetwork stepped = linear(linearLayer().solver(Solver.DOPRI5).tolerances(1e-6, 1e-6).build());
        MultiLayerNetwork interpolated = linear(linearLayer().solver(Solver.DOPRI5).tolerances(1e-6, 1e-6)
                .interpolateOutputs(true).build());
        INDArray a = stepped.output(input);
        INDArray b = interpolated.output(input);
        long steppedNfe = ((org.dl4jnode.layers.OdeLayer) stepped.getLayer(0)).lastForwardEvaluations();
        long interpolatedNfe = ((org.dl4jnode.layers.OdeLayer) interpolated.getLayer(0)).lastForwardEvaluations();
        System.out.printf("%d distinct times over the minibatch: NFE %d stepping to each, %d interpolated%n",
                8 * T, steppedNfe, interpolatedNfe);
        assertThat(interpolatedNfe).isLessThan(steppedNfe / 2);
        assertThat(a.distance2(b)).as("both within the tolerance").isLessThan(1e-4);
    }

    /**
     * inputs "x" [mb, 4] and "times" [mb, T] -> dense 4 -> 3 (tanh) -> the ODE layer on [state, times]
     * -> RnnOutputLayer (MSE, 2 outputs per time).
     */
    static ComputationGraph observedGraph(Layer ode) {
        ComputationGraphConfiguration conf = OdeNetworks.base(DataType.DOUBLE, SEED).graphBuilder()
                .addInputs("x", "times")
                .addLayer("dense", new DenseLayer.Builder().nOut(OdeNetworks.HIDDEN).activation(Activation.TANH)
                        .build(), "x")
                .addLayer("ode", ode, "dense", "times")
                .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "ode")
                .setOutputs("out")
                .setInputTypes(InputType.feedForward(OdeNetworks.N_IN), InputType.feedForward(T))
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    private static <B extends BaseOdeLayer.Builder<B>> B common(B builder, GradientMode mode) {
        return builder.name("observed").field(VectorField.mlp(4)).outputTimesFromInput(T).gradient(mode);
    }

    static Stream<Arguments> layers() {
        return Stream.of(
                Arguments.of("RK4 BACKPROP", common(new OdeLayer.Builder(), GradientMode.BACKPROP).steps(4).build()),
                Arguments.of("RK4 ADJOINT", common(new OdeLayer.Builder(), GradientMode.ADJOINT).steps(40).build()),
                Arguments.of("DOPRI5 interpolated BACKPROP", common(new OdeLayer.Builder(), GradientMode.BACKPROP)
                        .solver(Solver.DOPRI5).tolerances(1e-10, 1e-10).interpolateOutputs(true).build()),
                Arguments.of("TSIT5 interpolated CHECKPOINTED", common(new OdeLayer.Builder(),
                        GradientMode.CHECKPOINTED).solver(Solver.TSIT5).tolerances(1e-10, 1e-10)
                        .interpolateOutputs(true).build()),
                Arguments.of("TSIT5 interpolated ADJOINT", common(new OdeLayer.Builder(), GradientMode.ADJOINT)
                        .solver(Solver.TSIT5).tolerances(1e-10, 1e-10).interpolateOutputs(true).build()),
                Arguments.of("Galerkin DOPRI5 interpolated", common(new GalerkinOdeLayer.Builder(),
                        GradientMode.BACKPROP).basis(Basis.fourier(1)).higherModeScale(0.5).solver(Solver.DOPRI5).tolerances(1e-10, 1e-10)
                        .interpolateOutputs(true).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void everyExamplesOutputsAreDifferentiatedWithMaskedLabels(String name, Layer ode) {
        ComputationGraph net = observedGraph(ode);
        // away from the initialisation, so that every output time carries a different gradient
        for (String key : net.getLayer("ode").paramTable().keySet()) {
            OdeNetworks.perturb(net.getLayer("ode"), key, 0.3, key.hashCode());
        }
        INDArray times = Nd4j.createFromArray(new double[][] {{0.9, 0.2, 0.5}, {0.0, 0.6, 0.6}, {1.0, 0.35, 0.35},
                {0.5, 0.75, 0.1}});
        // the last two columns of example 2 are padding: a repeat of its last time, masked out
        INDArray labelMask = Nd4j.ones(DataType.DOUBLE, 4, T);
        labelMask.putScalar(2, 2, 0.0);
        Nd4j.getRandom().setSeed(6);
        INDArray labels = Nd4j.rand(DataType.DOUBLE, 4, 2, T).subi(0.5);
        boolean exact = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                .inputs(new INDArray[] {OdeNetworks.features(4, DataType.DOUBLE, 5), times})
                .labels(new INDArray[] {labels}).labelMask(new INDArray[] {labelMask})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
        assertThat(exact).as(name).isTrue();
    }

    @Test
    void theGraphTrainsWithFitAndRestoresWithModelSerializer(@TempDir File dir) throws IOException {
        ComputationGraphConfiguration conf = OdeNetworks.base(DataType.DOUBLE, SEED).updater(new Adam(1e-2))
                .graphBuilder().addInputs("x", "times")
                .addLayer("dense", new DenseLayer.Builder().nOut(2).activation(Activation.IDENTITY).build(), "x")
                .addLayer("ode", common(new OdeLayer.Builder(), GradientMode.ADJOINT).solver(Solver.DOPRI5)
                        .tolerances(1e-5, 1e-5).interpolateOutputs(true).build(), "dense", "times")
                .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "ode")
                .setOutputs("out").setInputTypes(InputType.feedForward(OdeNetworks.N_IN), InputType.feedForward(T))
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        // targets: the decaying rotation of the first two features, at each example's times
        Nd4j.getRandom().setSeed(8);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 32, OdeNetworks.N_IN).subi(0.5);
        INDArray times = Nd4j.rand(DataType.DOUBLE, 32, T);
        INDArray labels = Nd4j.create(DataType.DOUBLE, 32, 2, T);
        for (int i = 0; i < 32; i++) {
            for (int j = 0; j < T; j++) {
                INDArray h0 = x.get(NDArrayIndex.interval(i, i, true), NDArrayIndex.interval(0, 2));
                labels.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.point(j))
                        .assign(OdeLayerNumericsTest.exact(h0, times.getDouble(i, j)).reshape(2));
            }
        }
        MultiDataSet data = new MultiDataSet(new INDArray[] {x, times}, new INDArray[] {labels});
        double before = net.score(data);
        for (int i = 0; i < 60; i++) {
            net.fit(data);
        }
        assertThat(net.score(data)).isLessThan(before / 4);

        File file = new File(dir, "observed.zip");
        ModelSerializer.writeModel(net, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        assertThat(restored.getConfiguration()).isEqualTo(net.getConfiguration());
        assertThat(restored.outputSingle(x, times)).isEqualTo(net.outputSingle(x, times));
    }

    @Test
    void aTimeOutsideTheSpanNamesTheExampleAndColumn() {
        MultiLayerNetwork net = linear(linearLayer().solver(Solver.RK4).steps(8).build());
        INDArray input = Nd4j.hstack(Nd4j.ones(DataType.DOUBLE, 2, 2),
                Nd4j.createFromArray(new double[][] {{0.5, 1.0, 1.5}, {0.5, 2.5, 1.0}}));
        assertThatThrownBy(() -> net.output(input)).isInstanceOf(DL4JInvalidInputException.class)
                .hasMessageContaining("output time 1 of example 1 (input column 3) is 2.5")
                .hasMessageContaining("[0.0, 2.0]");
        assertThatThrownBy(() -> net.output(Nd4j.ones(DataType.DOUBLE, 2, 2)))
                .isInstanceOf(DL4JInvalidInputException.class)
                .hasMessageContaining("expected input [minibatch, 5] (the state's 2 columns, then 3 columns of "
                        + "output times)");
    }

    @Test
    void contradictingOptionsAreRefusedAtBuild() {
        assertThatThrownBy(() -> linearLayer().outputTimes(0.5, 1.0).build())
                .hasMessageContaining("outputTimes[0.5, 1.0] and outputTimesFromInput(3) exclude each other");
        assertThatThrownBy(() -> linearLayer().outputTimesFromInput(-1).build())
                .hasMessageContaining("outputTimesFromInput must be >= 0 (0: none), got -1");
        assertThatThrownBy(() -> new OdeLayer.Builder().field(VectorField.conv(4, 3)).outputTimesFromInput(2)
                .build()).hasMessageContaining("outputTimesFromInput gives a recurrent output");
        assertThatThrownBy(() -> linearLayer().dropOut(0.5).build())
                .hasMessageContaining("would drop the input's columns of output times too");
        assertThat(linearLayer().solver(Solver.DOPRI5).tolerances(1e-4, 1e-4).interpolateOutputs(true).build()
                .isInterpolateOutputs()).isTrue();
    }

    @Test
    void theInputTypeMustHoldTheStateAndTheTimes() {
        assertThatThrownBy(() -> new NeuralNetConfiguration.Builder().list().layer(linearLayer().build())
                .setInputType(InputType.feedForward(T)).build())
                .isInstanceOf(DL4JInvalidConfigException.class)
                .hasMessageContaining("has only 3 features");
        OdeLayer layer = linearLayer().build();
        layer.setNIn(InputType.feedForward(2 + T), true);
        assertThat(layer.getNIn()).as("nIn counts the state's columns").isEqualTo(2);
        assertThat(layer.getOutputType(0, InputType.feedForward(2 + T))).isEqualTo(InputType.recurrent(2, T));
    }

    @Test
    void theOptionRoundTripsThroughJson() {
        ComputationGraphConfiguration conf = observedGraph(common(new OdeLayer.Builder(), GradientMode.BACKPROP)
                .solver(Solver.DOPRI5).tolerances(1e-4, 1e-4).interpolateOutputs(true).build()).getConfiguration();
        String json = conf.toJson();
        assertThat(json).contains("\"outputTimesFromInput\" : 3");
        assertThat(ComputationGraphConfiguration.fromJson(json)).isEqualTo(conf);
        BaseOdeLayer old = (BaseOdeLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) ComputationGraphConfiguration
                .fromJson(json.replace("\"outputTimesFromInput\" : 3,", "")).getVertices().get("ode"))
                .getLayerConf().getLayer();
        assertThat(old.getOutputTimesFromInput()).as("files without the field").isZero();
    }
}
