package org.dl4jnode.examples.experiments.poisson;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.examples.experiments.ExperimentOptions;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.awt.Color;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.DoubleBinaryOperator;

/**
 * Physics-informed learning with an ODE block (seed 003, section 4.2): the Poisson equation {@code Delta phi = rho},
 * {@code rho = 2 pi sin(x) sin(y)}, on the unit square with {@code phi = 0} on its boundary, solved by a network with
 * an ODE block trained on the PDE loss plus the boundary loss, against a finite-difference reference.
 *
 * <p>The problem as posed here: seed 003 writes the equation as {@code Delta phi = rho} on [0, 1]^2 "with the
 * Dirichlet boundary condition" and a boundary term {@code |Delta phi + phi|} that is no boundary condition; this
 * program takes the homogeneous Dirichlet condition {@code phi = 0} (well posed: a unique solution) and the sign of
 * equation (12), so phi is negative inside. The network: dense 2 -&gt; {@code width} (tanh), an {@code OdeLayer}
 * ({@code mlp(width)} field, RK4 with 4 steps), dense {@code width} -&gt; 1. Its loss is {@link PoissonLoss}: the mean
 * square of the 5-point finite-difference Laplacian of the network minus rho at random interior points, plus the mean
 * square of phi at random boundary points; both are resampled every iteration. Full-batch Adam, double precision.
 *
 * <p>The reference is the 5-point scheme on a {@code --grid} x {@code --grid} mesh, solved exactly
 * ({@link FiniteDifferencePoisson}); its own error is estimated against the mesh of twice the resolution. Prints the
 * loss terms as training goes, then the network's largest and relative L2 errors against the reference; writes
 * {@code poisson.png}: the reference, the network's solution, their difference, and the two loss curves.
 */
@Command(name = "poisson", mixinStandardHelpOptions = true,
        description = "A physics-informed network with an ODE block solves Delta phi = 2 pi sin(x) sin(y), phi = 0 on the boundary.")
public final class Poisson implements Callable<Integer> {

    /** The source of seed 003's equation (14). */
    static final DoubleBinaryOperator RHO = (x, y) -> 2 * Math.PI * Math.sin(x) * Math.sin(y);

    @Option(names = "--iterations", defaultValue = "3000", description = "Adam steps (default ${DEFAULT-VALUE})")
    int iterations;
    @Option(names = "--collocation", defaultValue = "256", description = "interior points per iteration (default ${DEFAULT-VALUE})")
    int collocation;
    @Option(names = "--boundary", defaultValue = "128", description = "boundary points per iteration (default ${DEFAULT-VALUE})")
    int boundary;
    @Option(names = "--spacing", defaultValue = "0.01", description = "the finite-difference stencil's spacing (default ${DEFAULT-VALUE})")
    double spacing;
    @Option(names = "--width", defaultValue = "32", description = "the state and hidden width of the ODE block (default ${DEFAULT-VALUE})")
    int width;
    @Option(names = "--boundary-weight", defaultValue = "100", description = "the boundary term's weight; the PDE "
            + "term's is 1 (default ${DEFAULT-VALUE}: phi is ~50 times smaller than rho here, so an unweighted boundary "
            + "error would dominate phi's error)")
    double boundaryWeight;
    @Option(names = "--learning-rate", defaultValue = "0.005", description = "Adam's learning rate (default ${DEFAULT-VALUE})")
    double learningRate;
    @Option(names = "--grid", defaultValue = "64", description = "intervals per side of the reference mesh (default ${DEFAULT-VALUE})")
    int grid;
    @Mixin
    ExperimentOptions options;

    public static void main(String[] args) {
        ExperimentOptions.main(new Poisson(), args);
    }

    /** The loss terms recorded during training, at the iterations in {@code iterations}. */
    record Curves(List<Integer> iterations, List<Double> pde, List<Double> boundary) {
    }

    /**
     * The trained network's errors against the reference.
     *
     * @param maxError       the largest |phi_net - phi_fd| over the mesh
     * @param relativeL2     |phi_net - phi_fd| / |phi_fd| over the mesh
     * @param referenceError the reference's own largest difference from the mesh of twice its resolution
     */
    record Errors(double maxError, double relativeL2, double referenceError) {
    }

    @Override
    public Integer call() throws IOException {
        options.require(iterations >= 1 && collocation >= 1 && boundary >= 1 && width >= 1 && spacing > 0
                        && spacing < 0.1 && learningRate > 0 && boundaryWeight >= 0 && grid >= 2,
                "need --iterations, --collocation, --boundary, --width >= 1, 0 < --spacing < 0.1, --learning-rate > 0, "
                        + "--boundary-weight >= 0 and --grid >= 2");
        PrintStream log = System.out;
        log.printf(Locale.ROOT, "Delta phi = 2 pi sin(x) sin(y) on [0, 1]^2, phi = 0 on the boundary; dense 2 -> %d, "
                + "OdeLayer(mlp(%d), RK4 x 4), dense %d -> 1; %d interior + %d boundary points per iteration, stencil "
                + "spacing %s, Adam(%s), %d iterations%n", width, width, width, collocation, boundary, spacing,
                learningRate, iterations);
        MultiLayerNetwork net = network();
        long start = System.nanoTime();
        Curves curves = train(net, log);
        double seconds = (System.nanoTime() - start) / 1e9;
        double[][] reference = FiniteDifferencePoisson.solve(RHO, grid);
        double[][] solution = evaluate(net, grid);
        Errors errors = errors(solution, reference, FiniteDifferencePoisson.solve(RHO, 2 * grid));
        int last = curves.pde().size() - 1;
        log.printf(Locale.ROOT, "%ntrained in %.1f s; final PDE loss %.3e, boundary loss %.3e%n", seconds,
                curves.pde().get(last), curves.boundary().get(last));
        log.printf(Locale.ROOT, "against the %d x %d finite-difference reference: max |error| %.3e, relative L2 error "
                + "%.3e (min phi %.4f); the reference's own max difference from the %d x %d mesh: %.1e%n", grid, grid,
                errors.maxError(), errors.relativeL2(), min(reference), 2 * grid, 2 * grid, errors.referenceError());
        List<Chart<?, ?>> charts = new ArrayList<>();
        charts.add(heatMap("finite-difference reference phi", reference));
        charts.add(heatMap("network phi", solution));
        double[][] difference = new double[grid + 1][grid + 1];
        for (int i = 0; i <= grid; i++) {
            for (int j = 0; j <= grid; j++) {
                difference[i][j] = solution[i][j] - reference[i][j];
            }
        }
        charts.add(heatMap(String.format(Locale.ROOT, "network - reference (max %.1e)", errors.maxError()),
                difference));
        charts.add(lossCurves(curves));
        Path figure = options.figure("poisson.png");
        BitmapEncoder.saveBitmap(charts, 1, charts.size(), figure.toString(), BitmapEncoder.BitmapFormat.PNG);
        log.println("figure written to " + figure);
        return 0;
    }

    PoissonLoss loss() {
        return new PoissonLoss(collocation, spacing, 1, boundaryWeight);
    }

    MultiLayerNetwork network() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(options.seed()).dataType(DataType.DOUBLE).updater(new Adam(learningRate)).list()
                .layer(new DenseLayer.Builder().nOut(width).activation(Activation.TANH).build())
                .layer(new OdeLayer.Builder().name("ode").field(VectorField.mlp(width)).solver(Solver.RK4).steps(4)
                        .build())
                .layer(new OutputLayer.Builder(loss()).nOut(1).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(2))
                .build());
        net.init();
        return net;
    }

    Curves train(MultiLayerNetwork net, PrintStream log) {
        Random random = new Random(options.seed());
        PoissonLoss loss = loss();
        Curves curves = new Curves(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        int every = Math.max(1, iterations / 100);
        for (int i = 1; i <= iterations; i++) {
            DataSet batch = batch(random);
            net.fit(batch);
            if (i % every == 0 || i == iterations) {
                double[] terms = loss.terms(batch.getLabels(), net.output(batch.getFeatures()));
                curves.iterations().add(i);
                curves.pde().add(terms[0]);
                curves.boundary().add(terms[1]);
                if (i % (every * 10) == 0 || i == iterations) {
                    log.printf(Locale.ROOT, "iteration %5d/%d  PDE loss %.3e  boundary loss %.3e%n", i, iterations,
                            terms[0], terms[1]);
                }
            }
        }
        return curves;
    }

    /**
     * One minibatch: {@code collocation} stencils around uniform interior points (their neighbours stay inside the
     * square), labelled rho at their centres, then {@code boundary} uniform points on the four sides, labelled 0.
     */
    DataSet batch(Random random) {
        int rows = PoissonLoss.STENCIL * collocation + boundary;
        INDArray x = Nd4j.create(DataType.DOUBLE, rows, 2);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, rows, 1);
        int[][] offsets = PoissonLoss.stencilOffsets();
        for (int c = 0; c < collocation; c++) {
            double cx = spacing + (1 - 2 * spacing) * random.nextDouble();
            double cy = spacing + (1 - 2 * spacing) * random.nextDouble();
            for (int k = 0; k < offsets.length; k++) {
                int row = PoissonLoss.STENCIL * c + k;
                x.putScalar(row, 0, cx + offsets[k][0] * spacing);
                x.putScalar(row, 1, cy + offsets[k][1] * spacing);
            }
            labels.putScalar(PoissonLoss.STENCIL * c, 0, RHO.applyAsDouble(cx, cy));
        }
        for (int b = 0; b < boundary; b++) {
            int row = PoissonLoss.STENCIL * collocation + b;
            double s = random.nextDouble();
            int side = random.nextInt(4);
            x.putScalar(row, 0, side == 0 ? 0 : side == 1 ? 1 : s);
            x.putScalar(row, 1, side == 2 ? 0 : side == 3 ? 1 : s);
        }
        return new DataSet(x, labels);
    }

    /** The network's phi on the (n + 1) x (n + 1) mesh, indexed [i][j] for x = i / n, y = j / n. */
    static double[][] evaluate(MultiLayerNetwork net, int n) {
        INDArray points = Nd4j.create(DataType.DOUBLE, (long) (n + 1) * (n + 1), 2);
        for (int i = 0; i <= n; i++) {
            for (int j = 0; j <= n; j++) {
                points.putScalar(i * (n + 1) + j, 0, (double) i / n);
                points.putScalar(i * (n + 1) + j, 1, (double) j / n);
            }
        }
        INDArray phi = net.output(points);
        double[][] out = new double[n + 1][n + 1];
        for (int i = 0; i <= n; i++) {
            for (int j = 0; j <= n; j++) {
                out[i][j] = phi.getDouble(i * (n + 1) + j, 0);
            }
        }
        return out;
    }

    /** The errors of {@code solution} against {@code reference}, and the reference's against {@code finer}. */
    static Errors errors(double[][] solution, double[][] reference, double[][] finer) {
        int n = reference.length - 1;
        double max = 0;
        double squared = 0;
        double norm = 0;
        double referenceError = 0;
        for (int i = 0; i <= n; i++) {
            for (int j = 0; j <= n; j++) {
                double e = solution[i][j] - reference[i][j];
                max = Math.max(max, Math.abs(e));
                squared += e * e;
                norm += reference[i][j] * reference[i][j];
                referenceError = Math.max(referenceError, Math.abs(reference[i][j] - finer[2 * i][2 * j]));
            }
        }
        return new Errors(max, Math.sqrt(squared / norm), referenceError);
    }

    private static double min(double[][] a) {
        double m = Double.POSITIVE_INFINITY;
        for (double[] row : a) {
            for (double v : row) {
                m = Math.min(m, v);
            }
        }
        return m;
    }

    /** A heat map of {@code values} on the mesh, at most 17 x 17 of its points drawn. */
    private static HeatMapChart heatMap(String title, double[][] values) {
        int n = values.length - 1;
        int stride = Math.max(1, n / 16);
        List<String> ticks = new ArrayList<>();
        for (int i = 0; i <= n; i += stride) {
            ticks.add(String.format(Locale.ROOT, "%.2f", (double) i / n));
        }
        List<Number[]> cells = new ArrayList<>();
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (int i = 0, a = 0; i <= n; i += stride, a++) {
            for (int j = 0, b = 0; j <= n; j += stride, b++) {
                cells.add(new Number[] {a, b, values[i][j]});
                low = Math.min(low, values[i][j]);
                high = Math.max(high, values[i][j]);
            }
        }
        HeatMapChart chart = new HeatMapChartBuilder().width(520).height(480).title(title).xAxisTitle("x")
                .yAxisTitle("y").build();
        chart.getStyler().setShowValue(false).setLegendVisible(true);
        chart.getStyler().setXAxisLabelRotation(90);
        chart.getStyler().setRangeColors(new Color[] {new Color(30, 60, 200), Color.WHITE, new Color(200, 30, 30)});
        // XChart 3.8.8 indexes past its colours at the range's very top: a range a little wider than the values
        double margin = 1e-6 * Math.max(1e-12, high - low);
        chart.getStyler().setMin(low - margin).setMax(high + margin);
        chart.addSeries(title, ticks, ticks, cells);
        return chart;
    }

    private static XYChart lossCurves(Curves curves) {
        XYChart chart = new XYChartBuilder().width(520).height(480).title("loss terms").xAxisTitle("iteration")
                .yAxisTitle("mean square").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.addSeries("PDE: (Laplacian - rho)^2", curves.iterations(), curves.pde()).setMarker(SeriesMarkers.NONE);
        chart.addSeries("boundary: phi^2", curves.iterations(), curves.boundary()).setMarker(SeriesMarkers.NONE);
        return chart;
    }
}
