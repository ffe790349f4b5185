package org.dl4jnode.examples.experiments;

import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.examples.NestedSpheres;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * The activation of the field's last layer (seed 002, section 3 "Mind your activation", figures 2 and 8, appendix
 * B.1): one classification task, two half-moons, learned by the same ODE with tanh, ELU, sigmoid, ReLU and softplus
 * as the activation of f's output ({@code VectorField.mlp(16, 16).outputActivation(...)}).
 *
 * <p>Each model is an ODE layer on the 2-D points (DOPRI5, backprop through the solver) followed by a linear
 * softmax, trained by full-batch Adam (0.01). Sigmoid, ReLU and softplus make every component of f non-negative,
 * so every point can only move up and to the right: the flow can shift and stretch the moons but never fold one
 * back past the other, where tanh and ELU (which also take negative values) can steer either way. Prints each
 * model's accuracy on a second draw of the moons, its NFE, its final loss and the smallest component of f over the
 * plotted square, and writes {@code activations.png}: each model's trajectories over its vector field at
 * mid-depth (top) and its decision regions (bottom).
 */
@Command(name = "activations", mixinStandardHelpOptions = true,
        description = "Half-moons learned with tanh, ELU, sigmoid, ReLU and softplus as the field's output activation.")
public final class Activations implements Callable<Integer> {

    /** Seed 002's activations, by kind: bounded (tanh), bounded and non-negative (sigmoid), unbounded and
     * non-negative (ReLU, softplus), unbounded above and bounded below (ELU). */
    static final List<Activation> ACTIVATIONS = List.of(Activation.TANH, Activation.ELU, Activation.SIGMOID,
            Activation.RELU, Activation.SOFTPLUS);
    /** Half the plot's width: the moons, centred, lie inside [-1.6, 1.6] x [-1.1, 1.1]. */
    static final double EXTENT = 2.5;

    @Option(names = "--iterations", defaultValue = "300", description = "full-batch Adam steps per model (default ${DEFAULT-VALUE})")
    int iterations;
    @Option(names = "--points", defaultValue = "256", description = "training points, as many again for testing (default ${DEFAULT-VALUE})")
    int points;
    @Option(names = "--noise", defaultValue = "0.1", description = "standard deviation of the Gaussian noise on the moons (default ${DEFAULT-VALUE})")
    double noise;
    @Option(names = "--width", defaultValue = "16", description = "width of the field's two hidden layers (default ${DEFAULT-VALUE})")
    int width;
    @Option(names = "--tolerance", defaultValue = "1e-3", description = "rtol = atol of the DOPRI5 solves (default ${DEFAULT-VALUE})")
    double tolerance;
    @Mixin
    ExperimentOptions options;

    public static void main(String[] args) {
        ExperimentOptions.main(new Activations(), args);
    }

    /**
     * A trained model and the smallest component of its field over the plot's square (a 41 x 41 grid) at the span's
     * start, middle and end.
     */
    record Result(Activation activation, NestedSpheres.Result trained, double smallestField) {
    }

    @Override
    public Integer call() throws IOException {
        options.require(iterations >= 1 && points >= 2 && width >= 1 && noise >= 0 && tolerance > 0,
                "need --iterations >= 1, --points >= 2, --width >= 1, --noise >= 0 and --tolerance > 0");
        DataSet train = moons(points, noise, options.seed());
        DataSet test = moons(points, noise, options.seed() + 1);
        PrintStream log = System.out;
        log.printf(Locale.ROOT, "two half-moons (noise %s): %d training and %d test points; mlp(%d, %d) fields, DOPRI5 "
                + "at %s, %d full-batch Adam steps%n%n", noise, points, points, width, width, tolerance, iterations);
        List<Result> results = new ArrayList<>();
        for (Activation activation : ACTIVATIONS) {
            results.add(train(activation, train, test, log));
        }
        log.printf(Locale.ROOT, "%n%-10s %9s %12s %11s %22s%n", "output", "accuracy", "NFE (test)", "final loss",
                "smallest f");
        for (Result r : results) {
            log.printf(Locale.ROOT, "%-10s %8.1f%% %12d %11.4f %22.4f%n", r.activation(),
                    100 * r.trained().accuracy(), r.trained().nfe(), r.trained().finalLoss(), r.smallestField());
        }
        List<XYChart> charts = new ArrayList<>();
        for (Result r : results) {
            charts.add(PlaneFigures.flow(r.activation().toString().toLowerCase(Locale.ROOT), odeLayer(r), test,
                    EXTENT, 120));
        }
        for (Result r : results) {
            charts.add(PlaneFigures.decisionRegions(String.format(Locale.ROOT, "%s: %.1f%%, NFE %d",
                    r.activation().toString().toLowerCase(Locale.ROOT), 100 * r.trained().accuracy(),
                    r.trained().nfe()), x -> r.trained().network().output(x, false), test, EXTENT));
        }
        Path figure = options.figure("activations.png");
        BitmapEncoder.saveBitmap(charts, 2, ACTIVATIONS.size(), figure.toString(), BitmapEncoder.BitmapFormat.PNG);
        log.println("figure written to " + figure);
        return 0;
    }

    Result train(Activation activation, DataSet train, DataSet test, PrintStream log) {
        OdeLayer ode = new OdeLayer.Builder().name("ode")
                .field(VectorField.mlp(width, width).outputActivation(activation))
                .solver(Solver.DOPRI5).tolerances(tolerance, tolerance).build();
        NestedSpheres.Result trained = NestedSpheres.train(activation.toString(), ode, train, test, iterations, options.seed(),
                log);
        org.dl4jnode.layers.OdeLayer layer = (org.dl4jnode.layers.OdeLayer) trained.network().getLayer(0);
        INDArray grid = Nd4j.create(DataType.FLOAT, 41L * 41, 2);
        for (int i = 0; i < 41 * 41; i++) {
            grid.putScalar(i, 0, EXTENT * ((i / 41) / 20.0 - 1));
            grid.putScalar(i, 1, EXTENT * ((i % 41) / 20.0 - 1));
        }
        double t0 = layer.layerConf().getTimeStart();
        double t1 = layer.layerConf().getTimeEnd();
        double smallest = Double.POSITIVE_INFINITY;
        for (double t : new double[] {t0, (t0 + t1) / 2, t1}) {
            smallest = Math.min(smallest, layer.vectorFieldAt(t, grid).minNumber().doubleValue());
        }
        return new Result(activation, trained, smallest);
    }

    private static org.dl4jnode.layers.OdeLayer odeLayer(Result r) {
        return (org.dl4jnode.layers.OdeLayer) r.trained().network().getLayer(0);
    }

    /**
     * Two interleaving half circles of radius 1, {@code n} points split evenly (as scikit-learn's make_moons),
     * centred on the origin, with Gaussian noise of standard deviation {@code noise}; one-hot labels.
     */
    public static DataSet moons(int n, double noise, long seed) {
        Random random = new Random(seed);
        INDArray features = Nd4j.create(DataType.FLOAT, n, 2);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, 2);
        for (int i = 0; i < n; i++) {
            int label = i % 2;
            double angle = Math.PI * random.nextDouble();
            double x = label == 0 ? Math.cos(angle) : 1 - Math.cos(angle);
            double y = label == 0 ? Math.sin(angle) : 0.5 - Math.sin(angle);
            features.putScalar(i, 0, x - 0.5 + noise * random.nextGaussian());
            features.putScalar(i, 1, y - 0.25 + noise * random.nextGaussian());
            labels.putScalar(i, label, 1.0);
        }
        return new DataSet(features, labels);
    }
}
