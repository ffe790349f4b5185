package org.dl4jnode.examples;

import org.deeplearning4j.eval.Evaluation;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.Augmentation;
import org.dl4jnode.conf.AugmentedOdeLayer;
import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.GalerkinOdeLayer;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.examples.experiments.PlaneFigures;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * Seed 002's nested 2-spheres: points of an inner disc (class 0) inside an annulus (class 1) in the
 * plane. Each model is an ODE layer on the 2-D points followed by a linear softmax classifier that
 * sees only 2 dims (augmented layers pass on their first 2, as in the paper), so the flow itself must
 * pull the disc out of the annulus: a homeomorphism of the plane cannot, and vanilla ODEs can only
 * squeeze through at a growing NFE. Zero and input-layer augmentation, second order, data control
 * and adaptive depth each give the flow a way round that; depth-varying (Galerkin, Fourier with 5
 * harmonics) weights do not, but change how the flow squeezes through.
 *
 * <p>Prints each model's test accuracy, parameter count, the NFE of its forward solve (adaptive
 * Dormand-Prince, as in the paper) on the test set, and its training loss halfway and at the end.
 * Writes {@code nested-spheres-decision-boundaries.png} (every model's predicted class over the
 * plane, with the test points, and the vanilla flow in the last panel) and {@code nested-spheres-flow.png} (the vanilla model's depth
 * trajectories over its learned vector field) to {@code --out}.
 */
@Command(name = "nested-spheres", mixinStandardHelpOptions = true,
        description = "Vanilla, augmented, second-order, data-controlled and adaptive-depth ODEs on nested 2-spheres.")
public final class NestedSpheres implements Callable<Integer> {

    /** Inner disc radius, annulus inner and outer radii (seed 002's benchmark, 2-D). */
    public static final double R1 = 0.5;
    public static final double R2 = 1.0;
    public static final double R3 = 1.5;

    @Option(names = "--iterations", defaultValue = "200", description = "full-batch Adam steps per model (default ${DEFAULT-VALUE})")
    int iterations;
    @Option(names = "--points", defaultValue = "512", description = "training points, as many again for testing (default ${DEFAULT-VALUE})")
    int points;
    @Option(names = "--width", defaultValue = "16", description = "hidden width of every field (default ${DEFAULT-VALUE})")
    int width;
    @Option(names = "--tolerance", defaultValue = "1e-3", description = "rtol = atol of the DOPRI5 solves (default ${DEFAULT-VALUE})")
    double tolerance;
    @Option(names = "--seed", defaultValue = "42", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--out", defaultValue = "docs/figures", description = "where the PNG figures go (default ${DEFAULT-VALUE})")
    Path out;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new NestedSpheres()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        if (iterations < 1 || points < 2 || width < 1 || !(tolerance > 0)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "need --iterations >= 1, --points >= 2, "
                    + "--width >= 1 and --tolerance > 0");
        }
        List<Result> results = run(iterations, points, width, tolerance, seed, System.out);
        System.out.printf("%n%-16s %9s %11s %11s %11s %11s%n", "model", "accuracy", "parameters", "NFE (test)",
                "loss @" + (iterations + 1) / 2, "loss @" + iterations);
        for (Result r : results) {
            System.out.printf("%-16s %8.1f%% %11d %11d %11.4f %11.4f%n", r.model(), 100 * r.accuracy(), r.parameters(),
                    r.nfe(), r.halfwayLoss(), r.finalLoss());
        }
        Files.createDirectories(out);
        DataSet test = spheres(points, seed + 1);
        List<XYChart> charts = new ArrayList<>();
        for (Result r : results) {
            charts.add(PlaneFigures.decisionRegions(String.format(Locale.ROOT, "%s: %.1f%%, %d parameters, NFE %d",
                    r.model(), 100 * r.accuracy(), r.parameters(), r.nfe()), x -> r.network().output(x, false), test,
                    1.1 * R3));
        }
        XYChart flow = PlaneFigures.flow("vanilla", (org.dl4jnode.layers.OdeLayer) results.get(0).network().getLayer(0),
                test, 1.1 * R3, 80);
        BitmapEncoder.saveBitmap(flow, out.resolve("nested-spheres-flow.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        // seven models and, in the eighth panel, the vanilla flow
        charts.add(flow);
        BitmapEncoder.saveBitmap(charts, 2, 4, out.resolve("nested-spheres-decision-boundaries.png").toString(),
                BitmapEncoder.BitmapFormat.PNG);
        System.out.println("figures written to " + out);
        return 0;
    }

    /**
     * One trained model.
     *
     * @param model      its name
     * @param accuracy   test accuracy in [0, 1]
     * @param parameters parameters of the whole network (ODE layer and classifier)
     * @param nfe        field evaluations of the ODE layer's forward solve on the test set
     * @param halfwayLoss training loss after half the iterations (how fast it learns)
     * @param finalLoss  training loss after the last iteration
     * @param trainingNfe mean field evaluations per training iteration (forward and backward passes)
     *                    over the second half of training
     * @param network    the trained network
     */
    public record Result(String model, double accuracy, long parameters, long nfe, double halfwayLoss,
                         double finalLoss, double trainingNfe, MultiLayerNetwork network) {
    }

    /** A model to train: its name and its ODE layer. */
    public record Model(String name, BaseOdeLayer layer) {
    }

    /** The models, each an ODE layer with a {@code width}-wide MLP field and DOPRI5 at {@code tolerance}. */
    static List<Model> models(int width, double tolerance) {
        return List.of(
                new Model("vanilla", shared(new OdeLayer.Builder(), width, tolerance)),
                new Model("fourier(5)", shared(new GalerkinOdeLayer.Builder().basis(Basis.fourier(5)), width, tolerance)),
                new Model("zeros(2)", shared(new AugmentedOdeLayer.Builder()
                        .augmentation(Augmentation.zeros(2)).keepAugmentedDims(false), width, tolerance)),
                new Model("inputLayer(2)", shared(new AugmentedOdeLayer.Builder()
                        .augmentation(Augmentation.inputLayer(2)).keepAugmentedDims(false), width, tolerance)),
                new Model("secondOrder", shared(new AugmentedOdeLayer.Builder()
                        .augmentation(Augmentation.secondOrder()).keepAugmentedDims(false), width, tolerance)),
                new Model("data-controlled", shared(new OdeLayer.Builder().dataControlled(true), width, tolerance)),
                new Model("adaptive depth", shared(new OdeLayer.Builder().adaptiveDepth(8), width, tolerance)));
    }

    private static <B extends BaseOdeLayer.Builder<B>> BaseOdeLayer shared(B builder, int width, double tolerance) {
        return builder.name("ode").field(VectorField.mlp(width)).solver(Solver.DOPRI5)
                .tolerances(tolerance, tolerance).build();
    }

    /** Trains every model on the same data, printing progress to {@code log} (may be null). */
    public static List<Result> run(int iterations, int points, int width, double tolerance, long seed,
                                   PrintStream log) {
        DataSet train = spheres(points, seed);
        DataSet test = spheres(points, seed + 1);
        List<Result> results = new ArrayList<>();
        for (Model m : models(width, tolerance)) {
            results.add(train(m.name(), m.layer(), train, test, iterations, seed, log));
        }
        return results;
    }

    /**
     * Trains {@code ode} followed by a linear softmax over two classes on {@code train} (full batch,
     * Adam 0.01, float), printing progress to {@code log} (may be null), and evaluates it on {@code test}.
     */
    public static Result train(String name, Layer ode, DataSet train, DataSet test, int iterations, long seed,
                               PrintStream log) {
        MultiLayerNetwork net = network(ode, train.getFeatures().size(1), seed);
        org.dl4jnode.layers.OdeLayer layer = (org.dl4jnode.layers.OdeLayer) net.getLayer(0);
        long start = System.nanoTime();
        double halfwayLoss = Double.NaN;
        long laterNfe = 0;
        for (int i = 0; i < iterations; i++) {
            net.fit(train);
            if (i + 1 == (iterations + 1) / 2) {
                halfwayLoss = net.score();
            }
            if (i >= iterations / 2) {
                laterNfe += layer.lastForwardEvaluations() + layer.lastBackwardEvaluations();
            }
            if (log != null && ((i + 1) % 50 == 0 || i + 1 == iterations)) {
                log.printf("%-16s iteration %4d/%d  loss %.4f  NFE %d  (%.1f s)%n", name, i + 1, iterations,
                        net.score(), layer.lastForwardEvaluations(), (System.nanoTime() - start) / 1e9);
            }
        }
        double finalLoss = net.score();
        Evaluation evaluation = new Evaluation(2);
        evaluation.eval(test.getLabels(), net.output(test.getFeatures()));
        return new Result(name, evaluation.accuracy(), net.numParams(), layer.lastForwardEvaluations(), halfwayLoss,
                finalLoss, (double) laterNfe / (iterations - iterations / 2), net);
    }

    /** {@code ode} on {@code inputs}-dimensional points, then a linear softmax over two classes (Adam 0.01, float). */
    public static MultiLayerNetwork network(Layer ode, long inputs, long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(DataType.FLOAT).updater(new Adam(1e-2)).list()
                .layer(ode)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(inputs))
                .build());
        net.init();
        return net;
    }

    /**
     * {@code n} points, half uniform in the disc of radius R1 (class 0), half uniform in the annulus
     * between R2 and R3 (class 1), shuffled.
     */
    public static DataSet spheres(int n, long seed) {
        Random random = new Random(seed);
        INDArray features = Nd4j.create(DataType.FLOAT, n, 2);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, 2);
        for (int i = 0; i < n; i++) {
            int label = random.nextBoolean() ? 1 : 0;
            double inner = label == 0 ? 0 : R2;
            double outer = label == 0 ? R1 : R3;
            // uniform in area: r^2 uniform between the radii squared
            double r = Math.sqrt(inner * inner + random.nextDouble() * (outer * outer - inner * inner));
            double angle = 2 * Math.PI * random.nextDouble();
            features.putScalar(i, 0, r * Math.cos(angle));
            features.putScalar(i, 1, r * Math.sin(angle));
            labels.putScalar(i, label, 1.0);
        }
        return new DataSet(features, labels);
    }
}
