package org.dl4jnode.examples.experiments;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.examples.experiments.IrregularSpirals.Series;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import static org.dl4jnode.examples.experiments.IrregularSpirals.WINDOW;

/**
 * An irregularly sampled time series, latent-ODE style (Chen et al. 2018, section 5.1): 2-D spirals,
 * each observed at its own random times, encoded by an RNN into a latent state z(0), evolved by an
 * {@link OdeLayer} to each example's own times ({@code outputTimesFromInput}) and decoded back to
 * the plane; then asked for the whole observation window (interpolation) and the window after it
 * (extrapolation).
 *
 * <p>Data as the paper's code makes it: Archimedean spirals, half clockwise ({@code r = 0.3 * 50 /
 * (6 pi + 1 - s)}, centred at (-5, 0)) and half counter-clockwise ({@code r = 0.3 s}, centred at
 * (5, 0)), s on a grid of 1000 points over [0, 6 pi]; each series is a window of 200 consecutive grid
 * points from a random start, at times k / 100 (k = 0..199). The first 100 are the observation window:
 * a series is observed at {@code --min-observations} to {@code --max-observations} of them, chosen
 * at random, with Gaussian noise {@code --noise}; the last 100 are only for extrapolation.
 *
 * <p>Model (a {@code ComputationGraph} built from DL4J's own layers around the ODE layer): the
 * observations {@code (x, y, t)} in reverse time order ({@code [n, 3, N]}, padded series masked) into
 * {@code LastTimeStep(LSTM 25)}, a dense map to a 4-D z(0); the ODE layer (an MLP field 4 -> 20 -> 20 -> 4
 * with ELU, DOPRI5 with interpolated outputs, backprop through the steps by default: the adjoint
 * restarts its backward solve at every distinct output time, about 100 per minibatch here) from t = 0 to each example's N times, given as a
 * second input {@code [n, N]}; a decoder 4 -> 20 (ReLU) -> 2 at every time, MSE against the noisy
 * observations with the padding masked. The paper's model is a variational autoencoder; this one is
 * deterministic (no sampling of z(0), no KL term). To predict at 200 times, the same configuration
 * with 200 time columns takes the trained parameters: their layout does not depend on the count.
 *
 * <p>Reports the RMSE against the noiseless spirals over the observation window and the extrapolation
 * window, beside non-learned baselines (linear interpolation between the observations, and holding
 * the last one), and writes {@code latent-ode-spirals.png} (test series: truth, observations,
 * reconstruction and extrapolation) and {@code latent-ode-loss.png}.
 */
@Command(name = "latent-ode", mixinStandardHelpOptions = true,
        description = "Chen et al. 2018, section 5.1: a latent ODE fitted to irregularly sampled spirals.")
public final class LatentOde implements Callable<Integer> {

    static final int LATENT = 4;

    @Option(names = "--series", defaultValue = "300", description = "training series (default ${DEFAULT-VALUE})")
    int series;
    @Option(names = "--test-series", defaultValue = "100", description = "test series (default ${DEFAULT-VALUE})")
    int testSeries;
    @Option(names = "--min-observations", defaultValue = "15", description = "fewest observations of a series (default ${DEFAULT-VALUE})")
    int minObservations;
    @Option(names = "--max-observations", defaultValue = "30", description = "most observations of a series (default ${DEFAULT-VALUE})")
    int maxObservations;
    @Option(names = "--noise", defaultValue = "0.1", description = "std. dev. of the observations' noise (default ${DEFAULT-VALUE})")
    double noise;
    @Option(names = "--iterations", defaultValue = "1000", description = "full-batch Adam steps (default ${DEFAULT-VALUE})")
    int iterations;
    @Option(names = "--lr", defaultValue = "0.01", description = "Adam's learning rate (default ${DEFAULT-VALUE})")
    double learningRate;
    @Option(names = "--tolerance", defaultValue = "1e-4", description = "rtol = atol of the solves (default ${DEFAULT-VALUE})")
    double tolerance;
    @Option(names = "--gradient", defaultValue = "BACKPROP", description = "BACKPROP, CHECKPOINTED or ADJOINT (default ${DEFAULT-VALUE})")
    GradientMode gradient;
    @Option(names = "--print-every", defaultValue = "100", description = "iterations between progress lines (default ${DEFAULT-VALUE})")
    int printEvery;
    @Option(names = "--seed", defaultValue = "5", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--out", defaultValue = "docs/figures", description = "where the PNG figures go (default ${DEFAULT-VALUE})")
    Path out;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new LatentOde()).execute(args));
    }

    /** Root-mean-square errors against the noiseless spirals, per coordinate. */
    public record Errors(double interpolation, double extrapolation) {
    }

    /**
     * The experiment's outcome.
     *
     * @param model      the trained model (with {@code maxObservations} time columns)
     * @param latentOde  its errors on the test series
     * @param baseline   linear interpolation between the observations, then the last one held
     * @param losses     the training loss every {@code printEvery} iterations (and at the end)
     * @param prediction the test series' predictions at all 200 times, {@code [n, 2, 200]}
     * @param seconds    training time
     */
    public record Result(ComputationGraph model, Errors latentOde, Errors baseline, List<double[]> losses,
                         INDArray prediction, double seconds) {
    }

    @Override
    public Integer call() throws IOException {
        if (series < 1 || testSeries < 1 || minObservations < 2 || maxObservations < minObservations
                || maxObservations > WINDOW || !(noise >= 0) || iterations < 1 || !(learningRate > 0)
                || !(tolerance > 0) || printEvery < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "need --series, --test-series, "
                    + "--iterations, --print-every >= 1, 2 <= --min-observations <= --max-observations <= " + WINDOW
                    + ", --noise >= 0, --lr > 0 and --tolerance > 0");
        }
        List<Series> train = IrregularSpirals.generate(series, minObservations, maxObservations, noise, seed);
        List<Series> test = IrregularSpirals.generate(testSeries, minObservations, maxObservations, noise, seed + 1);
        System.out.printf(Locale.ROOT, "%d training and %d test spirals, %d-%d observations each in [0, %.2f], "
                        + "noise %.2f; latent ODE: LSTM 25 encoder, %d-D latent, MLP 20-20 ELU field, DOPRI5 at tol %s "
                        + "(interpolated outputs, %s), decoder 20; full-batch Adam (%s), %d iterations%n",
                train.size(), test.size(), minObservations, maxObservations, Series.time(WINDOW - 1), noise, LATENT,
                tolerance, gradient, learningRate, iterations);
        Result r = run(train, test, maxObservations, iterations, learningRate, tolerance, gradient, printEvery, seed);
        System.out.printf(Locale.ROOT, "%nRMSE against the noiseless spirals (%d test series), trained in %.0f s:%n",
                test.size(), r.seconds());
        System.out.printf(Locale.ROOT, "%-42s %14s %14s%n", "", "interpolation", "extrapolation");
        System.out.printf(Locale.ROOT, "%-42s %14.3f %14.3f%n", "latent ODE", r.latentOde().interpolation(),
                r.latentOde().extrapolation());
        System.out.printf(Locale.ROOT, "%-42s %14.3f %14.3f%n", "linear interpolation, then last value held",
                r.baseline().interpolation(), r.baseline().extrapolation());
        Files.createDirectories(out);
        figures(test, r, out);
        System.out.println("figures written to " + out);
        return 0;
    }

    /**
     * The latent ODE with {@code times} output time columns: inputs {@code "observations"}
     * ({@code [n, 3, N]}, reversed in time) and {@code "times"} ({@code [n, times]}).
     */
    public static ComputationGraph model(int times, double learningRate, double tolerance, GradientMode gradient,
                                         long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(learningRate))
                .graphBuilder()
                .addInputs("observations", "times")
                .addLayer("encoder", new LastTimeStep(new LSTM.Builder().nOut(25).activation(Activation.TANH)
                        .build()), "observations")
                .addLayer("z0", new DenseLayer.Builder().nOut(LATENT).activation(Activation.IDENTITY).build(),
                        "encoder")
                .addLayer("ode", new OdeLayer.Builder().name("latent dynamics")
                        .field(VectorField.mlp(20, 20).activation(Activation.ELU).timeDependent(false))
                        .solver(Solver.DOPRI5).tolerances(tolerance, tolerance).interpolateOutputs(true)
                        .timeSpan(0, Series.time(2 * WINDOW)).outputTimesFromInput(times).gradient(gradient).build(),
                        "z0", "times")
                .addLayer("decoder", new DenseLayer.Builder().nOut(20).activation(Activation.RELU).build(), "ode")
                .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "decoder")
                .setOutputs("out")
                .setInputTypes(InputType.recurrent(3), InputType.feedForward(times))
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    /**
     * The encoder's input and mask for {@code all}: each series' observations {@code (x, y, t)} in
     * reverse time order (the RNN ends at the earliest), padded to {@code width} and masked.
     */
    static INDArray[] encoderInput(List<Series> all, int width) {
        INDArray x = Nd4j.zeros(DataType.FLOAT, all.size(), 3, width);
        INDArray mask = Nd4j.zeros(DataType.FLOAT, all.size(), width);
        for (int i = 0; i < all.size(); i++) {
            Series s = all.get(i);
            int count = s.observed().length;
            for (int j = 0; j < count; j++) {
                int from = count - 1 - j;
                x.putScalar(new long[] {i, 0, j}, s.values()[from][0]);
                x.putScalar(new long[] {i, 1, j}, s.values()[from][1]);
                x.putScalar(new long[] {i, 2, j}, Series.time(s.observed()[from]));
                mask.putScalar(i, j, 1.0);
            }
        }
        return new INDArray[] {x, mask};
    }

    /**
     * Training data: the encoder's input, each series' observation times (padded with its first) and
     * the noisy observations as labels, the padding masked.
     */
    static MultiDataSet trainingData(List<Series> all, int width) {
        INDArray[] encoder = encoderInput(all, width);
        INDArray times = Nd4j.zeros(DataType.FLOAT, all.size(), width);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, all.size(), 2, width);
        INDArray labelMask = Nd4j.zeros(DataType.FLOAT, all.size(), width);
        for (int i = 0; i < all.size(); i++) {
            Series s = all.get(i);
            for (int j = 0; j < width; j++) {
                boolean real = j < s.observed().length;
                times.putScalar(i, j, Series.time(s.observed()[real ? j : 0]));
                if (real) {
                    labels.putScalar(new long[] {i, 0, j}, s.values()[j][0]);
                    labels.putScalar(new long[] {i, 1, j}, s.values()[j][1]);
                    labelMask.putScalar(i, j, 1.0);
                }
            }
        }
        return new MultiDataSet(new INDArray[] {encoder[0], times}, new INDArray[] {labels},
                new INDArray[] {encoder[1], null}, new INDArray[] {labelMask});
    }

    /** Trains on {@code train} and evaluates on {@code test}; see the class comment. */
    public static Result run(List<Series> train, List<Series> test, int width, int iterations, double learningRate,
                             double tolerance, GradientMode gradient, int printEvery, long seed) {
        ComputationGraph net = model(width, learningRate, tolerance, gradient, seed);
        MultiDataSet data = trainingData(train, width);
        org.dl4jnode.layers.OdeLayer ode = (org.dl4jnode.layers.OdeLayer) net.getLayer("ode");
        List<double[]> losses = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 1; i <= iterations; i++) {
            net.fit(data);
            if (i % printEvery == 0 || i == iterations) {
                double seconds = (System.nanoTime() - start) / 1e9;
                losses.add(new double[] {i, net.score()});
                System.out.printf(Locale.ROOT, "iteration %5d  loss %.4f  NFE %d/%d  %.1f examples/s  %.0f s%n", i,
                        net.score(), ode.lastForwardEvaluations(), ode.lastBackwardEvaluations(),
                        i * train.size() / seconds, seconds);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        INDArray prediction = predict(net, test, width, tolerance, gradient, seed);
        return new Result(net, errors(test, prediction), errors(test, IrregularSpirals.baseline(test)), losses,
                prediction, seconds);
    }

    /** The trained model's prediction for each series at all 2 x 100 times, {@code [n, 2, 200]}. */
    static INDArray predict(ComputationGraph trained, List<Series> all, int width, double tolerance,
                            GradientMode gradient, long seed) {
        ComputationGraph everywhere = model(2 * WINDOW, 0.01, tolerance, gradient, seed);
        everywhere.setParams(trained.params());
        INDArray[] encoder = encoderInput(all, width);
        INDArray times = Nd4j.create(DataType.FLOAT, all.size(), 2 * WINDOW);
        for (int k = 0; k < 2 * WINDOW; k++) {
            times.putScalar(new long[] {0, k}, Series.time(k));
        }
        for (int i = 1; i < all.size(); i++) {
            times.getRow(i).assign(times.getRow(0));
        }
        return everywhere.output(false, new INDArray[] {encoder[0], times}, new INDArray[] {encoder[1], null})[0];
    }

    /** RMSE of {@code prediction} ({@code [n, 2, 200]}) against the truth over each window. */
    static Errors errors(List<Series> all, INDArray prediction) {
        double[] sums = new double[2];
        for (int i = 0; i < all.size(); i++) {
            for (int k = 0; k < 2 * WINDOW; k++) {
                for (int c = 0; c < 2; c++) {
                    double e = prediction.getDouble(i, c, k) - all.get(i).truth()[k][c];
                    sums[k / WINDOW] += e * e;
                }
            }
        }
        double per = 2.0 * WINDOW * all.size();
        return new Errors(Math.sqrt(sums[0] / per), Math.sqrt(sums[1] / per));
    }

    private static void figures(List<Series> test, Result r, Path dir) throws IOException {
        List<XYChart> panels = new ArrayList<>();
        for (int i = 0; i < Math.min(6, test.size()); i++) {
            Series s = test.get(i);
            XYChart chart = new XYChartBuilder().width(420).height(380)
                    .title((s.clockwise() ? "clockwise" : "counter-clockwise") + ", " + s.observed().length
                            + " observations").xAxisTitle("x").yAxisTitle("y").build();
            chart.getStyler().setMarkerSize(5).setLegendVisible(i == 0);
            line(chart, "truth", column(s.truth(), 0, 0, 2 * WINDOW), column(s.truth(), 1, 0, 2 * WINDOW),
                    new Color(170, 170, 170), 3f);
            line(chart, "latent ODE, observation window", row(r.prediction(), i, 0, 0, WINDOW),
                    row(r.prediction(), i, 1, 0, WINDOW), new Color(30, 60, 200), 1.6f);
            line(chart, "latent ODE, extrapolation", row(r.prediction(), i, 0, WINDOW, 2 * WINDOW),
                    row(r.prediction(), i, 1, WINDOW, 2 * WINDOW), new Color(200, 30, 30), 1.6f);
            XYSeries points = chart.addSeries("observations", column(s.values(), 0, 0, s.values().length),
                    column(s.values(), 1, 0, s.values().length));
            points.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            points.setMarker(SeriesMarkers.CIRCLE).setMarkerColor(Color.BLACK);
            panels.add(chart);
        }
        BitmapEncoder.saveBitmap(panels, 2, 3, dir.resolve("latent-ode-spirals.png").toString(),
                BitmapEncoder.BitmapFormat.PNG);
        XYChart loss = new XYChartBuilder().width(560).height(380).title("training loss (MSE on the observations)")
                .xAxisTitle("iteration").yAxisTitle("loss").build();
        loss.getStyler().setYAxisLogarithmic(true).setLegendVisible(false);
        loss.addSeries("loss", r.losses().stream().mapToDouble(p -> p[0]).toArray(),
                r.losses().stream().mapToDouble(p -> p[1]).toArray()).setMarker(SeriesMarkers.NONE);
        BitmapEncoder.saveBitmap(loss, dir.resolve("latent-ode-loss.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static void line(XYChart chart, String name, double[] x, double[] y, Color color, float width) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE).setLineColor(color).setLineStyle(new BasicStroke(width));
    }

    private static double[] column(double[][] rows, int c, int from, int to) {
        return Arrays.stream(rows, from, to).mapToDouble(p -> p[c]).toArray();
    }

    private static double[] row(INDArray prediction, int i, int c, int from, int to) {
        double[] v = new double[to - from];
        for (int k = from; k < to; k++) {
            v[k - from] = prediction.getDouble(i, c, k);
        }
        return v;
    }
}
