package org.dl4jnode.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jnode.conf.Augmentation;
import org.dl4jnode.conf.AugmentedOdeLayer;
import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.GalerkinOdeLayer;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ODE networks trained by dl4j-spark's parameter averaging in Spark local mode, as a DL4J user would:
 * the three layers with the adjoint learn on an RDD and evaluate on it, one worker that averages after
 * every minibatch reproduces single-machine {@code fit()}, and a ComputationGraph trains too.
 */
class SparkOdeTrainingTest {

    private static final int FEATURES = 4;
    private static final int MINIBATCH = 16;

    static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("dl4j-node-spark tests")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1"));
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    /** {@code n} minibatches of two classes split by the plane x_0 + x_1 = 0.3, as floats or doubles. */
    static List<DataSet> minibatches(int n, long seed, DataType type) {
        Random random = new Random(seed);
        List<DataSet> out = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            INDArray x = Nd4j.create(type, MINIBATCH, FEATURES);
            INDArray y = Nd4j.zeros(type, MINIBATCH, 2);
            for (int i = 0; i < MINIBATCH; i++) {
                for (int j = 0; j < FEATURES; j++) {
                    x.putScalar(i, j, random.nextGaussian());
                }
                y.putScalar(i, x.getDouble(i, 0) + x.getDouble(i, 1) > 0.3 ? 1 : 0, 1.0);
            }
            out.add(new DataSet(x, y));
        }
        return out;
    }

    static MultiLayerConfiguration network(Layer ode, DataType type) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(type).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nOut(3).activation(Activation.IDENTITY).build())
                .layer(ode)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(FEATURES))
                .build();
    }

    static Stream<Arguments> adjointLayers() {
        return Stream.of(
                Arguments.of("OdeLayer", new OdeLayer.Builder().name("ode").field(VectorField.mlp(8))
                        .solver(Solver.DOPRI5).tolerances(1e-4, 1e-4).gradient(GradientMode.ADJOINT).build()),
                Arguments.of("GalerkinOdeLayer", new GalerkinOdeLayer.Builder().name("ode").field(VectorField.mlp(8))
                        .basis(Basis.fourier(2)).solver(Solver.DOPRI5).tolerances(1e-4, 1e-4)
                        .gradient(GradientMode.ADJOINT).build()),
                Arguments.of("AugmentedOdeLayer", new AugmentedOdeLayer.Builder().name("ode")
                        .augmentation(Augmentation.inputLayer(2)).field(VectorField.mlp(8)).solver(Solver.DOPRI5)
                        .tolerances(1e-4, 1e-4).gradient(GradientMode.ADJOINT).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adjointLayers")
    void parameterAveragingTrainsAnOdeNetworkOnAnRdd(String name, Layer ode) {
        JavaRDD<DataSet> data = sc.parallelize(minibatches(32, 1, DataType.FLOAT), 2);
        SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc, network(ode, DataType.FLOAT),
                new ParameterAveragingTrainingMaster.Builder(2, MINIBATCH).batchSizePerWorker(MINIBATCH)
                        .averagingFrequency(4).workerPrefetchNumBatches(0).build());
        double before = spark.calculateScore(data, true);
        for (int epoch = 0; epoch < 6; epoch++) {
            spark.fit(data);
        }
        double after = spark.calculateScore(data, true);
        Evaluation evaluation = spark.evaluate(data);

        assertThat(after).as("%s: loss before %s, after %s", name, before, after).isLessThan(0.6 * before);
        assertThat(evaluation.getNumRowCounter()).isEqualTo(32 * MINIBATCH);
        assertThat(evaluation.accuracy()).as(name).isGreaterThan(0.85);
    }

    /**
     * Parameter averaging with one worker, averaging after each minibatch, is single-machine training: the same
     * parameters to the last bit. It needs {@code saveUpdater(true)}: dl4j-spark's default does not carry Adam's
     * moments from one averaging round to the next (a plain DenseLayer network drifts the same way without it).
     */
    @Test
    void oneWorkerAveragingEveryMinibatchEqualsSingleMachineFit() throws Exception {
        Layer ode = new GalerkinOdeLayer.Builder().name("ode").field(VectorField.mlp(6)).basis(Basis.fourier(1))
                .solver(Solver.DOPRI5).tolerances(1e-8, 1e-8).gradient(GradientMode.ADJOINT).build();
        MultiLayerConfiguration conf = network(ode, DataType.DOUBLE);
        List<DataSet> batches = minibatches(6, 2, DataType.DOUBLE);

        MultiLayerNetwork local = new MultiLayerNetwork(conf.clone());
        local.init();
        MultiLayerNetwork start = copy(local);
        INDArray initial = start.params().dup();
        for (DataSet b : batches) {
            local.fit(b);
        }

        SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc, start,
                new ParameterAveragingTrainingMaster.Builder(1, MINIBATCH).batchSizePerWorker(MINIBATCH)
                        .averagingFrequency(1).saveUpdater(true).workerPrefetchNumBatches(0)
                        .repartionData(Repartition.Never).rddTrainingApproach(RDDTrainingApproach.Direct).build());
        // one minibatch per fit: parameter averaging splits a larger RDD at random, which would reorder them
        for (DataSet b : batches) {
            spark.fit(sc.parallelize(List.of(b), 1));
        }

        INDArray expected = local.params();
        assertThat(spark.getNetwork().params().sub(expected).amaxNumber().doubleValue())
                .as("largest parameter difference after %d minibatches", batches.size()).isZero();
        assertThat(spark.getNetwork().getUpdater().getStateViewArray()
                .sub(local.getUpdater().getStateViewArray()).amaxNumber().doubleValue()).as("Adam's moments").isZero();
        assertThat(initial.sub(expected).norm2Number().doubleValue()).as("training moved them").isGreaterThan(1e-2);
    }

    private static MultiLayerNetwork copy(MultiLayerNetwork net) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
    }

    @Test
    void aComputationGraphWithAnOdeLayerTrainsThroughSparkComputationGraph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).updater(new Adam(1e-2))
                .graphBuilder()
                .addInputs("in")
                .addLayer("lift", new DenseLayer.Builder().nOut(3).activation(Activation.IDENTITY).build(), "in")
                .addLayer("ode", new OdeLayer.Builder().field(VectorField.mlp(8)).solver(Solver.DOPRI5)
                        .tolerances(1e-4, 1e-4).gradient(GradientMode.ADJOINT).build(), "lift")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "ode")
                .setOutputs("out")
                .setInputTypes(InputType.feedForward(FEATURES))
                .build();
        JavaRDD<DataSet> data = sc.parallelize(minibatches(32, 3, DataType.FLOAT), 2);
        SparkComputationGraph spark = new SparkComputationGraph(sc, conf,
                new ParameterAveragingTrainingMaster.Builder(2, MINIBATCH).batchSizePerWorker(MINIBATCH)
                        .averagingFrequency(4).workerPrefetchNumBatches(0).build());
        double before = spark.calculateScore(data, true);
        for (int epoch = 0; epoch < 6; epoch++) {
            spark.fit(data);
        }
        assertThat(spark.calculateScore(data, true)).isLessThan(0.6 * before);
        assertThat(spark.evaluate(data).accuracy()).isGreaterThan(0.85);
    }
}
