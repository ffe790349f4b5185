package org.dl4jnode.examples.experiments;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
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
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Seed 003's spiral dynamics: learn {@code dz/dt = A z} from sampled points of one trajectory with a
 * single linear field ({@code VectorField.mlp()} without time: {@code f(z) = z W + b}, so the
 * learned matrix is {@code W^T}), once for {@code A = [[-0.1, -1], [1, -0.1]]} from exact samples and
 * once for {@code A = [[-1, -1], [1, -0.5]]} from noisy ones.
 *
 * <p>Data: the true trajectory from {@code z(0) = [1, 1]} sampled at {@code --samples} equal steps of
 * {@code dt} over {@code --horizon}. Two fits of the same field:
 * <ul>
 *   <li><b>transitions</b>: the one-step map {@code z(t_i) -> z(t_{i+1})} (an {@code OdeLayer} over
 *       [0, dt], one RK4 step, MSE, all transitions in one batch);</li>
 *   <li><b>trajectory</b>: the whole sampled trajectory from the first sample, with one layer that
 *       outputs the state at every sample time ({@code outputTimes}, one RK4 step per interval,
 *       {@code RnnLossLayer} with MSE).</li>
 * </ul>
 * At a few epochs the learned model is rolled out from z(0) over the whole horizon. Writes the phase
 * portraits ({@code spiral-dynamics-spiral.png}, {@code spiral-dynamics-noisy.png}, the transition
 * fit; {@code ...-trajectory.png}, the trajectory fit) and the matrices
 * ({@code spiral-dynamics-matrices.png}) as PNG figures and prints the learned matrices and times.
 */
@Command(name = "spiral-dynamics", mixinStandardHelpOptions = true,
        description = "Seed 003: learn dz/dt = A z from samples of a spiral with a linear ODE field.")
public final class SpiralDynamics implements Callable<Integer> {

    /** The clean system of seed 003. */
    static final double[][] SPIRAL = {{-0.1, -1}, {1, -0.1}};
    /** The second system, learned from noisy samples. */
    static final double[][] NOISY_SPIRAL = {{-1, -1}, {1, -0.5}};

    @Option(names = "--epochs", defaultValue = "600", description = "full-batch Adam steps per system (default ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--samples", defaultValue = "100", description = "sampled points of the trajectory (default ${DEFAULT-VALUE})")
    int samples;
    @Option(names = "--horizon", defaultValue = "10", description = "time covered by the samples (default ${DEFAULT-VALUE})")
    double horizon;
    @Option(names = "--noise", defaultValue = "0.02", description = "std. dev. of the noise on the second system's samples (default ${DEFAULT-VALUE})")
    double noise;
    @Option(names = "--trajectory-epochs", defaultValue = "1500", description = "full-batch Adam steps of the trajectory fit (default ${DEFAULT-VALUE})")
    int trajectoryEpochs;
    @Option(names = "--trajectory-lr", defaultValue = "0.03", description = "Adam's learning rate of the trajectory fit (default ${DEFAULT-VALUE})")
    double trajectoryLearningRate;
    @Option(names = "--seed", defaultValue = "3", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--out", defaultValue = "docs/figures", description = "where the PNG figures go (default ${DEFAULT-VALUE})")
    Path out;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new SpiralDynamics()).execute(args));
    }

    /**
     * One learned system.
     *
     * @param name     a short name for files and tables
     * @param fit      "transitions" or "trajectory"
     * @param truth    A
     * @param learned  the learned matrix W^T
     * @param bias     the learned bias (should vanish)
     * @param samples  the training points, {@code [n + 1, 2]}
     * @param exact    the true trajectory at the same times
     * @param rollouts the learned model's trajectory from z(0) at each snapshot epoch, {@code [n + 1, 2]}
     * @param epochs   the snapshot epochs
     * @param loss     the final training loss
     * @param seconds  training time
     */
    public record Result(String name, String fit, double[][] truth, double[][] learned, double[] bias,
                         INDArray samples, INDArray exact, List<INDArray> rollouts, List<Integer> epochs, double loss,
                         double seconds) {

        /** The largest absolute difference between the learned matrix and A. */
        public double maxError() {
            double max = 0;
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    max = Math.max(max, Math.abs(learned[i][j] - truth[i][j]));
                }
            }
            return max;
        }
    }

    @Override
    public Integer call() throws IOException {
        if (epochs < 1 || samples < 2 || !(horizon > 0) || !(noise >= 0)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "need --epochs >= 1, --samples >= 2, "
                    + "--horizon > 0 and --noise >= 0");
        }
        if (!(trajectoryLearningRate > 0) || trajectoryEpochs < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "need --trajectory-lr > 0 and "
                    + "--trajectory-epochs >= 1");
        }
        List<Result> results = List.of(learn("spiral", SPIRAL, 0.0), learn("noisy", NOISY_SPIRAL, noise),
                learnTrajectory("spiral", SPIRAL, 0.0), learnTrajectory("noisy", NOISY_SPIRAL, noise));
        Files.createDirectories(out);
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%s, %s fit: A = %s, learned = %s, bias = [%.4f, %.4f], max |error| %.4f, "
                            + "final loss %.2e, %.1f s%n", r.name(), r.fit(), format(r.truth()), format(r.learned()),
                    r.bias()[0], r.bias()[1], r.maxError(), r.loss(), r.seconds());
            String suffix = r.fit().equals("trajectory") ? "-trajectory" : "";
            phasePortrait(r, out.resolve("spiral-dynamics-" + r.name() + suffix + ".png"));
        }
        matrices(results, out.resolve("spiral-dynamics-matrices.png"));
        System.out.println("figures written to " + out);
        return 0;
    }

    /** The samples: the exact trajectory, with Gaussian noise of {@code noiseLevel} (the same draw for both fits). */
    private INDArray observed(INDArray exact, double noiseLevel) {
        INDArray observed = exact.dup();
        if (noiseLevel > 0) {
            Nd4j.getRandom().setSeed(seed);
            observed.addi(Nd4j.randn(DataType.DOUBLE, exact.shape()).muli(noiseLevel));
        }
        return observed;
    }

    /** The transition fit: z(t_i) -> z(t_{i+1}) by one RK4 step over [0, dt]. */
    Result learn(String name, double[][] a, double noiseLevel) {
        double dt = horizon / samples;
        INDArray exact = trajectory(a, dt, samples);
        INDArray observed = observed(exact, noiseLevel);
        INDArray from = observed.get(NDArrayIndex.interval(0, samples), NDArrayIndex.all()).dup();
        INDArray to = observed.get(NDArrayIndex.interval(1, samples + 1), NDArrayIndex.all()).dup();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(DataType.DOUBLE).weightInit(WeightInit.XAVIER).updater(new Adam(0.02))
                .list()
                .layer(new OdeLayer.Builder().name("ode").field(VectorField.mlp().timeDependent(false))
                        .solver(Solver.RK4).steps(1).timeSpan(0, dt).build())
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(2))
                .build());
        net.init();
        Training t = fit(net, new DataSet(from, to), epochs,
                () -> rollout(net, exact.getRow(0).reshape(1, 2), samples));
        return result(name, "transitions", a, net, observed, exact, t);
    }

    /** What a fit recorded: the rollouts at the snapshot epochs, and the time spent in fit(). */
    private record Training(List<Integer> snapshots, List<INDArray> rollouts, long nanos) {
    }

    /** {@code epochs} full-batch steps, with {@code rollout}'s trajectory at three of them (not timed). */
    private static Training fit(MultiLayerNetwork net, DataSet data, int epochs, Supplier<INDArray> rollout) {
        List<Integer> snapshots = new ArrayList<>();
        List<INDArray> rollouts = new ArrayList<>();
        long training = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long start = System.nanoTime();
            net.fit(data);
            training += System.nanoTime() - start;
            if (epoch == Math.max(1, epochs / 20) || epoch == epochs / 4 || epoch == epochs) {
                snapshots.add(epoch);
                rollouts.add(rollout.get());
            }
        }
        return new Training(snapshots, rollouts, training);
    }

    /**
     * The trajectory fit: one layer from the first sample to all the others, its output the state at
     * every sample time ({@code [1, 2, n]}), one RK4 step per interval, MSE over the whole trajectory.
     */
    Result learnTrajectory(String name, double[][] a, double noiseLevel) {
        double dt = horizon / samples;
        INDArray exact = trajectory(a, dt, samples);
        INDArray observed = observed(exact, noiseLevel);
        double[] times = new double[samples];
        for (int i = 0; i < samples; i++) {
            times[i] = (i + 1) * dt;
        }
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(DataType.DOUBLE).weightInit(WeightInit.XAVIER)
                .updater(new Adam(trajectoryLearningRate))
                .list()
                // A starts at zero (z stays at z(0)): a random start can have a growing mode that
                // the loss over 10 time units cannot climb out of
                .layer(new OdeLayer.Builder().name("ode").field(VectorField.mlp().timeDependent(false)
                                .zeroInitLast(true))
                        .solver(Solver.RK4).steps(samples).timeSpan(0, samples * dt).outputTimes(times).build())
                .layer(new RnnLossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(2))
                .build());
        net.init();
        INDArray z0 = observed.getRow(0).reshape(1, 2).dup();
        // [1, 2, n]: the samples after the first, as DL4J's recurrent layout wants them
        INDArray targets = observed.get(NDArrayIndex.interval(1, samples + 1), NDArrayIndex.all()).transpose()
                .reshape(1, 2, samples).dup();
        Training t = fit(net, new DataSet(z0, targets), trajectoryEpochs, () -> {
            INDArray path = net.output(exact.getRow(0).reshape(1, 2), false);
            INDArray z = Nd4j.create(DataType.DOUBLE, samples + 1, 2);
            z.putRow(0, exact.getRow(0));
            z.get(NDArrayIndex.interval(1, samples + 1), NDArrayIndex.all()).assign(path.reshape(2, samples).transpose());
            return z;
        });
        return result(name, "trajectory", a, net, observed, exact, t);
    }

    private static Result result(String name, String fit, double[][] a, MultiLayerNetwork net, INDArray observed,
                                 INDArray exact, Training t) {
        INDArray w = net.getLayer(0).getParam("W0");
        INDArray b = net.getLayer(0).getParam("b0");
        double[][] learned = {{w.getDouble(0, 0), w.getDouble(1, 0)}, {w.getDouble(0, 1), w.getDouble(1, 1)}};
        return new Result(name, fit, a, learned, b.toDoubleVector(), observed, exact, t.rollouts(), t.snapshots(),
                net.score(), t.nanos() / 1e9);
    }

    /** The exact solution z(t) = exp(A t) z(0) at t = 0, dt, ..., n dt (exp(A dt) by its Taylor series). */
    static INDArray trajectory(double[][] a, double dt, int n) {
        INDArray step = Nd4j.eye(2).castTo(DataType.DOUBLE);
        INDArray term = step.dup();
        INDArray adt = Nd4j.createFromArray(a).muli(dt);
        for (int k = 1; k < 30; k++) {
            term = term.mmul(adt).divi(k);
            step.addi(term);
        }
        INDArray z = Nd4j.create(DataType.DOUBLE, n + 1, 2);
        INDArray current = Nd4j.createFromArray(new double[][] {{1, 1}});
        for (int i = 0; i <= n; i++) {
            z.putRow(i, current);
            current = current.mmul(step.transpose());
        }
        return z;
    }

    private static INDArray rollout(MultiLayerNetwork net, INDArray z0, int n) {
        INDArray z = Nd4j.create(DataType.DOUBLE, n + 1, 2);
        INDArray current = z0;
        for (int i = 0; i <= n; i++) {
            z.putRow(i, current);
            current = net.output(current, false);
        }
        return z;
    }

    private static void phasePortrait(Result r, Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(640).height(560)
                .title("dz/dt = A z, A = " + format(r.truth()) + (r.name().equals("noisy") ? ", noisy" : "")
                        + ", " + r.fit() + " fit")
                .xAxisTitle("z1").yAxisTitle("z2").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        XYSeries points = chart.addSeries("samples", r.samples().getColumn(0).toDoubleVector(),
                r.samples().getColumn(1).toDoubleVector());
        points.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        points.setMarker(SeriesMarkers.CIRCLE);
        XYSeries truth = chart.addSeries("true trajectory", r.exact().getColumn(0).toDoubleVector(),
                r.exact().getColumn(1).toDoubleVector());
        truth.setMarker(SeriesMarkers.NONE);
        for (int i = 0; i < r.rollouts().size(); i++) {
            INDArray z = r.rollouts().get(i);
            XYSeries s = chart.addSeries("learned, epoch " + r.epochs().get(i), z.getColumn(0).toDoubleVector(),
                    z.getColumn(1).toDoubleVector());
            s.setMarker(SeriesMarkers.NONE);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** The entries of each A next to the learned ones, as grouped bars. */
    private static void matrices(List<Result> results, Path file) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(640).height(420).title("A vs. learned matrix")
                .xAxisTitle("entry").yAxisTitle("value").build();
        List<String> entries = List.of("a11", "a12", "a21", "a22");
        for (Result r : results) {
            if (r.fit().equals("transitions")) {
                chart.addSeries("A (" + r.name() + ")", entries, flat(r.truth()));
            }
            chart.addSeries("learned (" + r.name() + ", " + r.fit() + ")", entries, flat(r.learned()));
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static List<Double> flat(double[][] m) {
        return List.of(m[0][0], m[0][1], m[1][0], m[1][1]);
    }

    static String format(double[][] m) {
        return String.format(Locale.ROOT, "[[%.3f, %.3f], [%.3f, %.3f]]", m[0][0], m[0][1], m[1][0], m[1][1]);
    }

    /** For tests: results without writing figures. */
    static List<Result> run(int epochs, int trajectoryEpochs, int samples, double horizon, double noise, long seed) {
        SpiralDynamics s = new SpiralDynamics();
        s.epochs = epochs;
        s.trajectoryEpochs = trajectoryEpochs;
        s.samples = samples;
        s.horizon = horizon;
        s.noise = noise;
        s.seed = seed;
        s.trajectoryLearningRate = 0.03;
        return List.of(s.learn("spiral", SPIRAL, 0.0), s.learn("noisy", NOISY_SPIRAL, noise),
                s.learnTrajectory("spiral", SPIRAL, 0.0), s.learnTrajectory("noisy", NOISY_SPIRAL, noise));
    }
}
