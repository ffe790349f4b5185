package org.dl4jnode.examples.experiments;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jnode.conf.Augmentation;
import org.dl4jnode.conf.AugmentedOdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.layers.OdeLayer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * Seed 004's experiment: two interleaved 2-D spirals classified by an ODE network that lifts
 * 2 -> 6 dims ({@code AugmentedOdeLayer} with {@code Augmentation.inputLayer(4)}), integrates an
 * mlp field (tanh, t fed to it, last layer zero-initialised so the block starts as the identity) with
 * RK4 and classifies the final state, against a ResNet of 20 residual blocks {@code h += dt f_k(h)},
 * {@code dt = 1/20}, each block with its own weights (the same lift and head).
 *
 * <p>Prints test accuracy, parameter count and training time of both, and writes
 * {@code spirals-decision-boundaries.png} (both models' predicted class over the plane, with the
 * test points) and {@code spirals-trajectories.png} (the ODE's lifted trajectories from h(0) to h(1)
 * in their first two dims, coloured by class).
 */
@Command(name = "spirals", mixinStandardHelpOptions = true,
        description = "Seed 004: an ODE classifier vs. a 20-block ResNet on two interleaved spirals.")
public final class Spirals implements Callable<Integer> {

    private static final int BLOCKS = 20;

    @Option(names = "--points", defaultValue = "400", description = "training points per class, as many for testing (default ${DEFAULT-VALUE})")
    int points;
    @Option(names = "--iterations", defaultValue = "400", description = "full-batch Adam steps per model (default ${DEFAULT-VALUE})")
    int iterations;
    @Option(names = "--width", defaultValue = "32", description = "hidden width of the field and of every ResNet block (default ${DEFAULT-VALUE})")
    int width;
    @Option(names = "--steps", defaultValue = "10", description = "RK4 steps of the ODE over [0, 1] (default ${DEFAULT-VALUE})")
    int steps;
    @Option(names = "--seed", defaultValue = "4", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--out", defaultValue = "docs/figures", description = "where the PNG figures go (default ${DEFAULT-VALUE})")
    Path out;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new Spirals()).execute(args));
    }

    /**
     * One trained classifier.
     *
     * @param name       "ODE" or "ResNet"
     * @param accuracy   test accuracy in [0, 1]
     * @param parameters number of parameters
     * @param seconds    training time
     * @param model      the trained network
     */
    public record Result(String name, double accuracy, long parameters, double seconds, Model model) {
    }

    @Override
    public Integer call() throws IOException {
        if (points < 10 || iterations < 1 || width < 1 || steps < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "need --points >= 10, --iterations >= 1, "
                    + "--width >= 1, --steps >= 1");
        }
        DataSet train = spirals(points, seed);
        DataSet test = spirals(points, seed + 1);
        List<Result> results = List.of(train("ODE", odeNetwork(width, steps, seed), train, test, iterations),
                train("ResNet", resNet(width, seed), train, test, iterations));
        System.out.printf("%-8s %9s %11s %10s%n", "model", "accuracy", "parameters", "training");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-8s %8.1f%% %11d %9.1fs%n", r.name(), 100 * r.accuracy(), r.parameters(),
                    r.seconds());
        }
        Files.createDirectories(out);
        decisionBoundaries(results, test, out.resolve("spirals-decision-boundaries.png"));
        trajectories((MultiLayerNetwork) results.get(0).model(), test, out.resolve("spirals-trajectories.png"));
        System.out.println("figures written to " + out);
        return 0;
    }

    /**
     * Two interleaved spirals, {@code n} points each, in about [-1, 1]^2: class k at angle
     * {@code s + k pi}, radius proportional to s, s uniform on [0.5, 3.5 pi], with a little noise.
     */
    public static DataSet spirals(int n, long seed) {
        Random random = new Random(seed);
        INDArray x = Nd4j.create(DataType.FLOAT, 2L * n, 2);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 2L * n, 2);
        double max = 3.5 * Math.PI;
        for (int i = 0; i < 2 * n; i++) {
            int k = i % 2;
            double s = 0.5 + (max - 0.5) * random.nextDouble();
            double r = s / max;
            x.putScalar(i, 0, r * Math.cos(s + k * Math.PI) + 0.02 * random.nextGaussian());
            x.putScalar(i, 1, r * Math.sin(s + k * Math.PI) + 0.02 * random.nextGaussian());
            y.putScalar(i, k, 1.0);
        }
        return new DataSet(x, y);
    }

    private static NeuralNetConfiguration.Builder base(long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER)
                .updater(new Adam(1e-2));
    }

    /** Lift 2 -> 6 (learned), an ODE on 6 dims, softmax over the final state. */
    static MultiLayerNetwork odeNetwork(int width, int steps, long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(base(seed).list()
                .layer(new AugmentedOdeLayer.Builder().name("ode").augmentation(Augmentation.inputLayer(4))
                        .field(VectorField.mlp(width).zeroInitLast(true)).solver(Solver.RK4).steps(steps).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.feedForward(2))
                .build());
        net.init();
        return net;
    }

    /** Lift 2 -> 6, 20 residual blocks h += (1/20) (tanh(h W + b) V + c), softmax. */
    static ComputationGraph resNet(int width, long seed) {
        ComputationGraphConfiguration.GraphBuilder g = base(seed).graphBuilder().addInputs("in")
                .addLayer("lift", new DenseLayer.Builder().nOut(6).activation(Activation.IDENTITY).build(), "in");
        String h = "lift";
        for (int k = 0; k < BLOCKS; k++) {
            g.addLayer("hidden" + k, new DenseLayer.Builder().nOut(width).activation(Activation.TANH).build(), h)
                    .addLayer("f" + k, new DenseLayer.Builder().nOut(6).activation(Activation.IDENTITY)
                            .weightInit(WeightInit.ZERO).build(), "hidden" + k)
                    .addVertex("dtf" + k, new ScaleVertex(1.0 / BLOCKS), "f" + k)
                    .addVertex("h" + (k + 1), new ElementWiseVertex(ElementWiseVertex.Op.Add), h, "dtf" + k);
            h = "h" + (k + 1);
        }
        ComputationGraph net = new ComputationGraph(g
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), h)
                .setOutputs("out").setInputTypes(InputType.feedForward(2)).build());
        net.init();
        return net;
    }

    static Result train(String name, Model model, DataSet train, DataSet test, int iterations) {
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            if (model instanceof MultiLayerNetwork m) {
                m.fit(train);
            } else {
                ((ComputationGraph) model).fit(train);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Evaluation evaluation = new Evaluation(2);
        evaluation.eval(test.getLabels(), output(model, test.getFeatures()));
        return new Result(name, evaluation.accuracy(), model.numParams(), seconds, model);
    }

    private static INDArray output(Model model, INDArray x) {
        return model instanceof MultiLayerNetwork m ? m.output(x, false) : ((ComputationGraph) model).outputSingle(x);
    }

    private static void decisionBoundaries(List<Result> results, DataSet test, Path file) throws IOException {
        List<XYChart> charts = new ArrayList<>();
        for (Result r : results) {
            charts.add(PlaneFigures.decisionRegions(String.format(Locale.ROOT, "%s: %.1f%% test accuracy, %d parameters",
                    r.name(), 100 * r.accuracy(), r.parameters()), x -> output(r.model(), x), test, 1.2));
        }
        BitmapEncoder.saveBitmap(charts, 1, charts.size(), file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** The ODE's states at every step for the first test points, in the lifted space's first two dims. */
    private static void trajectories(MultiLayerNetwork net, DataSet test, Path file) throws IOException {
        int n = Math.min(60, test.numExamples());
        INDArray x = test.getFeatures().get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
        List<INDArray> path = ((OdeLayer) net.getLayer(0)).trajectory(x);
        XYChart chart = new XYChartBuilder().width(640).height(560)
                .title("ODE trajectories h(t), t in [0, 1], lifted space dims 1-2").xAxisTitle("h1").yAxisTitle("h2")
                .build();
        chart.getStyler().setLegendVisible(false);
        PlaneFigures.trajectories(chart, path, test.getLabels(), n);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
