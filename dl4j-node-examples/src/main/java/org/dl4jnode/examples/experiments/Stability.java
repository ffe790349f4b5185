package org.dl4jnode.examples.experiments;

import org.dl4jnode.conf.Augmentation;
import org.dl4jnode.conf.AugmentedOdeLayer;
import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.GalerkinOdeLayer;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.examples.NestedSpheres;
import org.dl4jnode.layers.LyapunovEstimator;
import org.dl4jnode.samediff.regularizer.FlowRegularizer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.Histogram;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * Stability of neural ODEs on seed 002's nested 3-spheres (section 6, figure 7), and RNODE's claim
 * (Finlay et al. 2020) that kinetic-energy and Jacobian regularisation lower an adaptive solver's NFE.
 *
 * <p><b>Lyapunov exponents.</b> A depth-invariant ODE, a depth-variant one (Galerkin, Fourier
 * weights) and the same depth-variant one with seed 002's stability term
 * ({@link FlowRegularizer#finalStateStability}) are trained on the 3-D points, each followed by a
 * linear softmax on its 3 dims; the largest Lyapunov exponent around every test point is estimated
 * by Algorithm 1 ({@link LyapunovEstimator}). Writes {@code stability-lyapunov-histograms.png}.
 *
 * <p><b>Regularised NFE.</b> An ODE with one zero-augmented dimension (so the classes can be separated)
 * is trained with and without {@link FlowRegularizer#kineticEnergy} + {@link FlowRegularizer#jacobianFrobenius}
 * at a tight tolerance, and the NFE of its adaptive solves compared at the accuracy each reaches.
 *
 * <p>Prints one table per part: test accuracy, NFE of the forward solve on the test set, mean NFE of a
 * training iteration (forward and backward), and for the first part the exponents' median and the
 * share of positive ones.
 */
@Command(name = "stability", mixinStandardHelpOptions = true,
        description = "Lyapunov exponents with and without seed 002's stability term; RNODE's regularisers and NFE.")
public final class Stability implements Callable<Integer> {

    /** Inner ball radius, shell inner and outer radii (seed 002's nested spheres). */
    static final double R1 = 0.5;
    static final double R2 = 1.0;
    static final double R3 = 1.5;
    static final int DIMS = 3;

    @Option(names = "--iterations", defaultValue = "300", description = "full-batch Adam steps per model (default ${DEFAULT-VALUE})")
    int iterations;
    @Option(names = "--points", defaultValue = "512", description = "training points, as many again for testing (default ${DEFAULT-VALUE})")
    int points;
    @Option(names = "--width", defaultValue = "16", description = "width of the field's two hidden layers (default ${DEFAULT-VALUE})")
    int width;
    @Option(names = "--stability", defaultValue = "0.1", description = "weight of the stability term (default ${DEFAULT-VALUE})")
    double stability;
    @Option(names = "--kinetic", defaultValue = "0.01", description = "weight of the kinetic energy (default ${DEFAULT-VALUE})")
    double kinetic;
    @Option(names = "--jacobian", defaultValue = "0.01", description = "weight of the Jacobian norm (default ${DEFAULT-VALUE})")
    double jacobian;
    @Option(names = "--tolerance", defaultValue = "1e-3", description = "rtol = atol of the Lyapunov part's DOPRI5 solves (default ${DEFAULT-VALUE})")
    double tolerance;
    @Option(names = "--rnode-tolerance", defaultValue = "1e-5", description = "rtol = atol of the NFE part's DOPRI5 solves (default ${DEFAULT-VALUE})")
    double rnodeTolerance;
    @Option(names = "--radius", defaultValue = "1e-3", description = "perturbation radius r of Algorithm 1 (default ${DEFAULT-VALUE})")
    double radius;
    @Option(names = "--seed", defaultValue = "42", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--out", defaultValue = "docs/figures", description = "where the PNG figure goes (default ${DEFAULT-VALUE})")
    Path out;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new Stability()).execute(args));
    }

    /** One model's exponents around the test points. */
    public record Exponents(NestedSpheres.Result result, double[] values) {

        double median() {
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }

        double positiveShare() {
            return Arrays.stream(values).filter(v -> v > 0).count() / (double) values.length;
        }
    }

    @Override
    public Integer call() throws IOException {
        if (iterations < 1 || points < 2 || width < 1 || !(tolerance > 0) || !(rnodeTolerance > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "need --iterations >= 1, --points >= 2, "
                    + "--width >= 1 and tolerances > 0");
        }
        try {
            // the regularisers and the estimator check their own values, before anything trains
            FlowRegularizer.finalStateStability(stability);
            FlowRegularizer.kineticEnergy(kinetic);
            FlowRegularizer.jacobianFrobenius(jacobian);
            new LyapunovEstimator(radius, seed);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        DataSet train = spheres(points, seed);
        DataSet test = spheres(points, seed + 1);
        PrintStream log = System.out;
        log.printf("nested 3-spheres: %d training and %d test points, mlp(%d, %d) fields, %d full-batch Adam steps%n%n",
                points, points, width, width, iterations);

        List<Exponents> lyapunov = lyapunov(train, test, log);
        log.printf("%nLyapunov exponents (Algorithm 1, r = %s, over the span [0, 1]; DOPRI5 at %s)%n", radius,
                tolerance);
        log.printf("%-28s %9s %11s %12s %12s %14s %10s%n", "model", "accuracy", "parameters", "NFE (test)",
                "NFE / iter", "median LE", "LE > 0");
        for (Exponents e : lyapunov) {
            NestedSpheres.Result r = e.result();
            log.printf(Locale.ROOT, "%-28s %8.1f%% %11d %12d %12.1f %14.3f %9.1f%%%n", r.model(), 100 * r.accuracy(),
                    r.parameters(), r.nfe(), r.trainingNfe(), e.median(), 100 * e.positiveShare());
        }

        List<NestedSpheres.Result> rnode = rnode(train, test, log);
        log.printf("%nRNODE regularisers (zeros(1) augmentation, DOPRI5 at %s)%n", rnodeTolerance);
        log.printf("%-40s %9s %12s %12s %11s%n", "model", "accuracy", "NFE (test)", "NFE / iter", "final loss");
        for (NestedSpheres.Result r : rnode) {
            log.printf(Locale.ROOT, "%-40s %8.1f%% %12d %12.1f %11.4f%n", r.model(), 100 * r.accuracy(), r.nfe(),
                    r.trainingNfe(), r.finalLoss());
        }

        Files.createDirectories(out);
        Path figure = out.resolve("stability-lyapunov-histograms.png");
        BitmapEncoder.saveBitmap(histograms(lyapunov), 1, lyapunov.size(), figure.toString(),
                BitmapEncoder.BitmapFormat.PNG);
        log.println("figure written to " + figure);
        return 0;
    }

    /** The three models of figure 7, trained, with their exponents on the test points. */
    List<Exponents> lyapunov(DataSet train, DataSet test, PrintStream log) {
        BaseOdeLayer invariant = fields(new OdeLayer.Builder(), false).solver(Solver.DOPRI5)
                .tolerances(tolerance, tolerance).build();
        BaseOdeLayer variant = galerkin().build();
        BaseOdeLayer stable = galerkin().regularizers(FlowRegularizer.finalStateStability(stability)).build();
        List<Exponents> out = new ArrayList<>();
        LyapunovEstimator estimator = new LyapunovEstimator(radius, seed);
        for (NestedSpheres.Model m : List.of(new NestedSpheres.Model("depth-invariant", invariant),
                new NestedSpheres.Model("depth-variant (Galerkin)", variant),
                new NestedSpheres.Model("depth-variant + stability", stable))) {
            NestedSpheres.Result r = NestedSpheres.train(m.name(), m.layer(), train, test, iterations, seed, log);
            org.dl4jnode.layers.OdeLayer layer = (org.dl4jnode.layers.OdeLayer) r.network().getLayer(0);
            out.add(new Exponents(r, estimator.largestExponents(layer, test.getFeatures())));
        }
        return out;
    }

    private GalerkinOdeLayer.Builder galerkin() {
        return fields(new GalerkinOdeLayer.Builder().basis(Basis.fourier(1)), true).solver(Solver.DOPRI5)
                .tolerances(tolerance, tolerance);
    }

    /** The same model with and without kinetic + Jacobian regularisation. */
    List<NestedSpheres.Result> rnode(DataSet train, DataSet test, PrintStream log) {
        List<NestedSpheres.Result> out = new ArrayList<>();
        out.add(NestedSpheres.train("zeros(1), unregularised", augmented().build(), train, test, iterations, seed,
                log));
        out.add(NestedSpheres.train(String.format(Locale.ROOT, "zeros(1), kinetic %s + Jacobian %s", kinetic,
                        jacobian), augmented().regularizers(FlowRegularizer.kineticEnergy(kinetic),
                        FlowRegularizer.jacobianFrobenius(jacobian).seed(seed)).build(), train, test, iterations, seed,
                log));
        return out;
    }

    private AugmentedOdeLayer.Builder augmented() {
        return fields(new AugmentedOdeLayer.Builder().augmentation(Augmentation.zeros(1)).keepAugmentedDims(false),
                true).solver(Solver.DOPRI5).tolerances(rnodeTolerance, rnodeTolerance);
    }

    /** Seed 002's fields for this experiment: two hidden layers of {@code width} units (tanh). */
    private <B extends BaseOdeLayer.Builder<B>> B fields(B builder, boolean timeDependent) {
        return builder.name("ode").field(VectorField.mlp(width, width).timeDependent(timeDependent));
    }

    /** One histogram per model over common bins, so the panels compare. */
    static List<CategoryChart> histograms(List<Exponents> models) {
        double min = models.stream().flatMapToDouble(e -> Arrays.stream(e.values())).min().orElse(0);
        double max = models.stream().flatMapToDouble(e -> Arrays.stream(e.values())).max().orElse(1);
        if (!(max > min)) {
            max = min + 1;
        }
        List<CategoryChart> charts = new ArrayList<>();
        for (Exponents e : models) {
            List<Double> values = Arrays.stream(e.values()).boxed().toList();
            Histogram histogram = new Histogram(values, 20, min, max);
            CategoryChart chart = new CategoryChartBuilder().width(520).height(400)
                    .title(String.format(Locale.ROOT, "%s: median %.2f", e.result().model(), e.median()))
                    .xAxisTitle("largest Lyapunov exponent").yAxisTitle("test points").build();
            chart.getStyler().setLegendVisible(false);
            chart.getStyler().setXAxisDecimalPattern("0.00");
            chart.getStyler().setXAxisLabelRotation(90);
            chart.addSeries("exponents", histogram.getxAxisData(), histogram.getyAxisData());
            charts.add(chart);
        }
        return charts;
    }

    /**
     * {@code n} points in R^3, half uniform in the ball of radius R1 (class 0), half uniform in the shell
     * between R2 and R3 (class 1), shuffled.
     */
    public static DataSet spheres(int n, long seed) {
        Random random = new Random(seed);
        INDArray features = Nd4j.create(DataType.FLOAT, n, DIMS);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, 2);
        for (int i = 0; i < n; i++) {
            int label = random.nextBoolean() ? 1 : 0;
            double inner = label == 0 ? 0 : R2;
            double outer = label == 0 ? R1 : R3;
            // uniform in volume: r^3 uniform between the radii cubed; the direction a normalised Gaussian
            double r = Math.cbrt(Math.pow(inner, 3) + random.nextDouble() * (Math.pow(outer, 3) - Math.pow(inner, 3)));
            double[] u = new double[DIMS];
            double norm = 0;
            for (int j = 0; j < DIMS; j++) {
                u[j] = random.nextGaussian();
                norm += u[j] * u[j];
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < DIMS; j++) {
                features.putScalar(i, j, r * u[j] / norm);
            }
            labels.putScalar(i, label, 1.0);
        }
        return new DataSet(features, labels);
    }
}
