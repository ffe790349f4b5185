package org.dl4jnode.examples;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.GalerkinOdeLayer;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
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
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * Seed 000's sanity check of a Galerkin layer: fit a time series with an {@link OdeLayer}, a
 * {@link GalerkinOdeLayer} with only the constant mode, and one with several Fourier harmonics, and
 * compare the loss curves.
 *
 * <p>The series come from a periodically forced nonlinear oscillator (DiffEqFlux's cubic spiral with
 * a forcing term), {@code du/dt = A u^3 + (0, a sin(2 pi t / P))}, sampled once per forcing period P
 * from random initial states: {@code u_0, u_1, ...}. Every step {@code u_k -> u_{k+1}} is the flow
 * of the same non-autonomous field over [0, P], so a model is one ODE layer on that span fitted to
 * the pairs by MSE. The constant-mode Galerkin layer starts from the OdeLayer's weights and must
 * follow its loss curve; the Fourier layer, whose weights vary over the period like the forcing,
 * should reach a lower loss.
 *
 * <p>With {@code --out DIR} it also draws the three loss curves ({@code galerkin-loss-curves.png})
 * and, as in seed 002's figure 16, how the Fourier model's first-layer weights vary over depth
 * ({@code galerkin-weights-over-depth.png}: W0(t) = sum_j C_j psi_j(t) for the first entries).
 */
@Command(name = "galerkin-time-series", mixinStandardHelpOptions = true,
        description = "Loss curves of OdeLayer vs. GalerkinOdeLayer (1 mode, n Fourier harmonics) on a time series.")
public final class GalerkinTimeSeries implements Callable<Integer> {

    static final double PERIOD = 1.5;
    private static final double[][] A = {{-0.1, 2.0}, {-2.0, -0.1}};
    private static final double FORCING = 1.0;

    @Option(names = "--iterations", defaultValue = "300", description = "full-batch Adam steps per model (default ${DEFAULT-VALUE})")
    int iterations;
    @Option(names = "--harmonics", defaultValue = "5", description = "Fourier harmonics of the rich model (default ${DEFAULT-VALUE})")
    int harmonics;
    @Option(names = "--series", defaultValue = "16", description = "number of time series (default ${DEFAULT-VALUE})")
    int series;
    @Option(names = "--length", defaultValue = "16", description = "periods per series (default ${DEFAULT-VALUE})")
    int length;
    @Option(names = "--seed", defaultValue = "42", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--out", description = "also write the PNG figures to this directory (e.g. docs/figures)")
    Path out;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new GalerkinTimeSeries()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        for (String s : new String[] {"iterations", "series", "length"}) {
            int v = s.equals("iterations") ? iterations : s.equals("series") ? series : length;
            if (v < 1) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--" + s + " must be >= 1, got " + v);
            }
        }
        Result r = run(iterations, harmonics, series, length, seed, System.out);
        System.out.printf("%nfinal loss  OdeLayer %.5f  Galerkin 1 mode %.5f  Galerkin fourier(%d) %.5f%n",
                r.ode().last(), r.constantMode().last(), harmonics, r.fourier().last());
        System.out.printf("largest gap between the OdeLayer and 1-mode curves: %.2e%n", r.constantModeGap());
        if (out != null) {
            Files.createDirectories(out);
            lossCurves(r, out.resolve("galerkin-loss-curves.png"));
            weightsOverDepth(r.fourierLayer(), harmonics, out.resolve("galerkin-weights-over-depth.png"));
            System.out.println("figures written to " + out);
        }
        return 0;
    }

    /** One model's loss per iteration (the loss of the batch before that iteration's update). */
    public record Curve(String model, long parameters, double[] loss) {
        public double last() {
            return loss[loss.length - 1];
        }
    }

    /** The three curves, and the trained Fourier model's ODE layer. */
    public record Result(Curve ode, Curve constantMode, Curve fourier, org.dl4jnode.layers.OdeLayer fourierLayer) {
        /** The largest |difference| between the OdeLayer's and the 1-mode Galerkin layer's curves. */
        public double constantModeGap() {
            double gap = 0;
            for (int i = 0; i < ode.loss.length; i++) {
                gap = Math.max(gap, Math.abs(ode.loss[i] - constantMode.loss[i]));
            }
            return gap;
        }
    }

    /** Generates the series and trains the three models, printing progress to {@code log} (may be null). */
    public static Result run(int iterations, int harmonics, int series, int length, long seed, PrintStream log) {
        DataSet pairs = timeSeries(series, length, seed);
        if (log != null) {
            log.printf("%d time series of %d periods (P = %s): %d transitions u_k -> u_k+1%n", series, length, PERIOD,
                    pairs.numExamples());
        }
        MultiLayerNetwork ode = network(new OdeLayer.Builder().name("ode")
                .field(VectorField.mlp(32)).solver(Solver.RK4).steps(4).timeSpan(0, PERIOD).build(), seed);
        MultiLayerNetwork one = network(galerkin(0), seed);
        MultiLayerNetwork many = network(galerkin(harmonics), seed);
        return new Result(train("OdeLayer", ode, pairs, iterations, log),
                train("Galerkin fourier(0)", one, pairs, iterations, log),
                train("Galerkin fourier(" + harmonics + ")", many, pairs, iterations, log),
                (org.dl4jnode.layers.OdeLayer) many.getLayer(0));
    }

    private static GalerkinOdeLayer galerkin(int harmonics) {
        return new GalerkinOdeLayer.Builder().name("ode")
                .field(VectorField.mlp(32)).basis(Basis.fourier(harmonics))
                .solver(Solver.RK4).steps(4).timeSpan(0, PERIOD).build();
    }

    private static MultiLayerNetwork network(Layer ode, long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(DataType.FLOAT).updater(new Adam(1e-2)).list()
                .layer(ode)
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(2))
                .build());
        net.init();
        return net;
    }

    private static Curve train(String name, MultiLayerNetwork net, DataSet data, int iterations, PrintStream log) {
        double[] loss = new double[iterations];
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            net.fit(data);
            loss[i] = net.score();
            if (log != null && ((i + 1) % 50 == 0 || i == 0)) {
                log.printf("%-22s iteration %4d/%d  loss %.5f  (%.1f s)%n", name, i + 1, iterations, loss[i],
                        (System.nanoTime() - start) / 1e9);
            }
        }
        return new Curve(name, net.numParams(), loss);
    }

    private static void lossCurves(Result r, Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(640).height(420).title("Training loss (MSE) on the forced oscillator")
                .xAxisTitle("iteration").yAxisTitle("loss").build();
        chart.getStyler().setYAxisLogarithmic(true);
        for (Curve c : List.of(r.ode(), r.constantMode(), r.fourier())) {
            double[] x = new double[c.loss().length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i + 1;
            }
            chart.addSeries(c.model() + " (" + c.parameters() + " parameters)", x, c.loss()).setMarker(SeriesMarkers.NONE);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** The first entries of W0(t) of a Galerkin layer over its span. */
    private static void weightsOverDepth(org.dl4jnode.layers.OdeLayer layer, int harmonics, Path file)
            throws IOException {
        int points = 61;
        int entries = 6;
        double[] t = new double[points];
        double[][] w = new double[entries][points];
        for (int i = 0; i < points; i++) {
            t[i] = PERIOD * i / (points - 1);
            INDArray w0 = layer.weightsAt(t[i]).get("W0");
            for (int e = 0; e < entries; e++) {
                w[e][i] = w0.getDouble(e);
            }
        }
        XYChart chart = new XYChartBuilder().width(640).height(420)
                .title("Galerkin fourier(" + harmonics + "): first-layer weights over depth").xAxisTitle("depth t")
                .yAxisTitle("W0(t) entry").build();
        for (int e = 0; e < entries; e++) {
            chart.addSeries("W0[" + e + "]", t, w[e]).setMarker(SeriesMarkers.NONE);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * {@code series} trajectories of the forced cubic oscillator from random states in [-1.5, 1.5]^2,
     * each sampled at {@code length + 1} period boundaries; features u_k, labels u_{k+1}.
     */
    public static DataSet timeSeries(int series, int length, long seed) {
        Random random = new Random(seed);
        INDArray features = Nd4j.create(DataType.FLOAT, (long) series * length, 2);
        INDArray labels = Nd4j.create(DataType.FLOAT, (long) series * length, 2);
        int row = 0;
        for (int s = 0; s < series; s++) {
            double[] u = {3 * random.nextDouble() - 1.5, 3 * random.nextDouble() - 1.5};
            for (int k = 0; k < length; k++) {
                features.putRow(row, Nd4j.createFromArray(u).castTo(DataType.FLOAT));
                u = onePeriod(u);
                labels.putRow(row++, Nd4j.createFromArray(u).castTo(DataType.FLOAT));
            }
        }
        return new DataSet(features, labels);
    }

    /** The true flow over one forcing period: classical RK4 with 400 steps (error far below the fit). */
    static double[] onePeriod(double[] u0) {
        int steps = 400;
        double h = PERIOD / steps;
        double[] u = u0.clone();
        for (int i = 0; i < steps; i++) {
            double t = i * h;
            double[] k1 = field(t, u);
            double[] k2 = field(t + h / 2, axpy(u, h / 2, k1));
            double[] k3 = field(t + h / 2, axpy(u, h / 2, k2));
            double[] k4 = field(t + h, axpy(u, h, k3));
            for (int d = 0; d < 2; d++) {
                u[d] += h / 6 * (k1[d] + 2 * k2[d] + 2 * k3[d] + k4[d]);
            }
        }
        return u;
    }

    private static double[] field(double t, double[] u) {
        double c0 = u[0] * u[0] * u[0];
        double c1 = u[1] * u[1] * u[1];
        return new double[] {A[0][0] * c0 + A[0][1] * c1,
                A[1][0] * c0 + A[1][1] * c1 + FORCING * Math.sin(2 * Math.PI * t / PERIOD)};
    }

    private static double[] axpy(double[] y, double a, double[] x) {
        return new double[] {y[0] + a * x[0], y[1] + a * x[1]};
    }
}
