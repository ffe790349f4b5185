package org.dl4jnode.examples.experiments;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.benchmarks.PeakMemory;
import org.dl4jnode.layers.OdeLayer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
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
 * Seed 004's experiment as the seed describes it: two interleaved 2-D spirals classified by an ODE
 * network (linear lift 2 -> 6, a field {@code [t; y] -> 128 -> tanh -> 128 -> tanh -> 6} with its last
 * layer zero-initialised, Euler or RK4, classifier {@code 6 -> 64 -> ReLU -> 2}), trained with
 * backprop through the solver and with the adjoint, against ResNets of as many residual blocks with
 * independent and with shared weights ({@link SpiralModels}).
 *
 * <p>Every model gets full-batch Adam steps until its training loss falls below
 * {@code --target-loss} or the budget {@code --iterations} runs out. Prints, per model, test
 * accuracy, parameters, the steps it took, training time and the peak native memory of one training
 * iteration (each measured in a fresh JVM, {@link PeakMemory}; {@code --no-memory} skips it). Writes
 * {@code spirals-decision-boundaries.png} (every model's predicted class over the plane, with the
 * test points) and {@code spirals-trajectories.png} (the RK4 ODE's trajectories from h(0) to h(1)
 * in the lifted space's first two dims, coloured by class).
 */
@Command(name = "spirals", mixinStandardHelpOptions = true,
        description = "Seed 004: ODE classifiers (Euler, RK4; backprop, adjoint) vs. ResNets with independent and "
                + "shared weights on two interleaved spirals.")
public final class Spirals implements Callable<Integer> {

    @Option(names = "--points", defaultValue = "400", description = "training points per class, as many for testing (default ${DEFAULT-VALUE})")
    int points;
    @Option(names = "--iterations", defaultValue = "1500", description = "the budget: full-batch Adam steps per model at most (default ${DEFAULT-VALUE})")
    int iterations;
    @Option(names = "--target-loss", defaultValue = "0.01", description = "converged once the training loss is below this (default ${DEFAULT-VALUE})")
    double targetLoss;
    @Option(names = "--lr", defaultValue = "3e-3", description = "Adam's learning rate (default ${DEFAULT-VALUE})")
    double learningRate;
    @Option(names = "--steps", defaultValue = "20", description = "solver steps of the ODEs over [0, 1], and blocks of the ResNets (default ${DEFAULT-VALUE})")
    int steps;
    @Option(names = "--models", split = ",", description = "which models (default: all): ode-euler, ode-euler-adjoint, "
            + "ode-rk4, ode-rk4-adjoint, resnet, resnet-shared, ode-small")
    List<String> models;
    @Option(names = "--memory", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "measure each model's peak memory in a fresh JVM (default ${DEFAULT-VALUE}; Linux)")
    boolean memory;
    @Option(names = "--seed", defaultValue = "4", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--out", defaultValue = "docs/figures", description = "where the PNG figures go (default ${DEFAULT-VALUE})")
    Path out;
    @Option(names = "--measure", hidden = true, description = "child mode: the peak memory of one iteration of this model")
    String measure;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new Spirals()).execute(args));
    }

    /**
     * One trained classifier.
     *
     * @param candidate  which model
     * @param accuracy   test accuracy in [0, 1]
     * @param parameters number of parameters
     * @param iterations Adam steps taken
     * @param converged  whether the training loss fell below the target within the budget
     * @param seconds    training time
     * @param model      the trained network
     */
    public record Result(SpiralModels.Candidate candidate, double accuracy, long parameters, int iterations,
                         boolean converged, double seconds, Model model) {
    }

    @Override
    public Integer call() throws Exception {
        if (points < 10 || iterations < 1 || steps < 1 || !(targetLoss > 0) || !(learningRate > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "need --points >= 10, --iterations >= 1, "
                    + "--steps >= 1, --target-loss > 0 and --lr > 0");
        }
        List<SpiralModels.Candidate> all = SpiralModels.all(steps, learningRate, seed);
        List<SpiralModels.Candidate> chosen = new ArrayList<>();
        try {
            for (String key : models == null ? all.stream().map(SpiralModels.Candidate::key).toList() : models) {
                chosen.add(SpiralModels.byKey(all, key));
            }
            if (measure != null) {
                measureOne(SpiralModels.byKey(all, measure));
                return 0;
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        DataSet train = spirals(points, seed);
        DataSet test = spirals(points, seed + 1);
        System.out.printf(Locale.ROOT, "%d training and %d test points; full-batch Adam (%s) until the training loss "
                + "< %s, at most %d steps%n%n", train.numExamples(), test.numExamples(), learningRate, targetLoss,
                iterations);
        System.out.printf("%-20s %-9s %9s %11s %11s %10s %9s %9s%n", "model", "gradient", "accuracy", "parameters",
                "iterations", "training", "ms/iter", "peak MiB");
        List<Result> results = new ArrayList<>();
        for (SpiralModels.Candidate c : chosen) {
            Result r = train(c, train, test, iterations, targetLoss);
            results.add(r);
            String peak = memory ? String.format(Locale.ROOT, "%9.1f", peakMemory(c)) : String.format("%9s", "-");
            System.out.printf(Locale.ROOT, "%-20s %-9s %8.1f%% %11d %10d%s %9.1fs %9.1f %s%n", c.name(), c.gradient(),
                    100 * r.accuracy(), r.parameters(), r.iterations(), r.converged() ? " " : "*", r.seconds(),
                    1000 * r.seconds() / r.iterations(), peak);
        }
        if (results.stream().anyMatch(r -> !r.converged())) {
            System.out.println("(* the training loss did not fall below the target within the budget)");
        }
        Files.createDirectories(out);
        decisionBoundaries(results, test, out.resolve("spirals-decision-boundaries.png"));
        Result rk4 = results.stream().filter(r -> r.candidate().key().equals("ode-rk4")).findFirst()
                .orElse(results.get(0));
        if (rk4.model() instanceof MultiLayerNetwork net && net.getLayer(1) instanceof OdeLayer) {
            trajectories(rk4.candidate().name(), net, test, out.resolve("spirals-trajectories.png"));
        }
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

    /**
     * Trains {@code c} with full-batch Adam until the training loss is below {@code targetLoss} or
     * {@code budget} steps are done, then evaluates it on {@code test}.
     */
    static Result train(SpiralModels.Candidate c, DataSet train, DataSet test, int budget, double targetLoss) {
        Model model = c.build().get();
        long start = System.nanoTime();
        int i = 0;
        boolean converged = false;
        while (i < budget && !converged) {
            fit(model, train);
            i++;
            converged = model.score() < targetLoss;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Evaluation evaluation = new Evaluation(2);
        evaluation.eval(test.getLabels(), output(model, test.getFeatures()));
        return new Result(c, evaluation.accuracy(), model.numParams(), i, converged, seconds, model);
    }

    private static void fit(Model model, DataSet data) {
        if (model instanceof MultiLayerNetwork m) {
            m.fit(data);
        } else {
            ((ComputationGraph) model).fit(data);
        }
    }

    /** The peak native memory of one training iteration of {@code c} on the training set, in a fresh JVM. */
    private double peakMemory(SpiralModels.Candidate c) throws IOException, InterruptedException {
        String[] r = PeakMemory.inFreshJvm(Spirals.class, List.of("--measure", c.key(), "--points",
                String.valueOf(points), "--steps", String.valueOf(steps), "--seed", String.valueOf(seed),
                "--lr", String.valueOf(learningRate)), "512m");
        return Double.parseDouble(r[0]);
    }

    /** Child mode: reports the peak memory of one iteration of {@code c}. */
    private void measureOne(SpiralModels.Candidate c) throws IOException, InterruptedException {
        DataSet train = spirals(points, seed);
        Model model = c.build().get();
        output(model, train.getFeatures()); // loads the natives and builds the field's graph
        PeakMemory.Measurement m = PeakMemory.ofIteration(() -> fit(model, train));
        PeakMemory.report(String.format(Locale.ROOT, "%.1f", m.peakMiB()), String.format(Locale.ROOT, "%.3f",
                m.seconds()));
    }

    private static INDArray output(Model model, INDArray x) {
        return model instanceof MultiLayerNetwork m ? m.output(x, false) : ((ComputationGraph) model).outputSingle(x);
    }

    private static void decisionBoundaries(List<Result> results, DataSet test, Path file) throws IOException {
        List<XYChart> charts = new ArrayList<>();
        for (Result r : results) {
            charts.add(PlaneFigures.decisionRegions(String.format(Locale.ROOT, "%s, %s: %.1f%%, %,d parameters",
                    r.candidate().name(), r.candidate().gradient().toString().toLowerCase(Locale.ROOT),
                    100 * r.accuracy(), r.parameters()), x -> output(r.model(), x), test, 1.2));
        }
        int columns = Math.min(4, charts.size());
        int rows = (charts.size() + columns - 1) / columns;
        while (charts.size() < rows * columns) {
            XYChart blank = new XYChartBuilder().width(520).height(520).build();
            org.knowm.xchart.style.XYStyler style = blank.getStyler();
            style.setChartTitleVisible(false);
            style.setLegendVisible(false);
            style.setAxisTitlesVisible(false);
            style.setAxisTicksVisible(false);
            style.setPlotGridLinesVisible(false);
            style.setPlotBorderVisible(false);
            style.setPlotBackgroundColor(style.getChartBackgroundColor());
            charts.add(blank);
        }
        BitmapEncoder.saveBitmap(charts, rows, columns, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * The ODE's states at every step for the first test points, in the lifted space's first two dims:
     * {@code net} is lift (layer 0), ODE (layer 1), classifier.
     */
    private static void trajectories(String name, MultiLayerNetwork net, DataSet test, Path file) throws IOException {
        int n = Math.min(60, test.numExamples());
        INDArray x = test.getFeatures().get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
        INDArray lifted = net.feedForwardToLayer(0, x, false).get(1);
        List<INDArray> path = ((OdeLayer) net.getLayer(1)).trajectory(lifted);
        XYChart chart = new XYChartBuilder().width(640).height(560)
                .title(name + ": trajectories h(t), t in [0, 1], lifted dims 1-2").xAxisTitle("h1").yAxisTitle("h2")
                .build();
        chart.getStyler().setLegendVisible(false);
        PlaneFigures.trajectories(chart, path, test.getLabels(), n);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
