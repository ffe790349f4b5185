package org.dl4jnode.examples.experiments;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.Augmentation;
import org.dl4jnode.conf.AugmentedOdeLayer;
import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.examples.NestedSpheres;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.awt.BasicStroke;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Second order against ANODE on nested 2-spheres (seed 002, section 4 and appendix B.2, figures 10 and 11): two
 * 4-dimensional flows of the 2-D points, each followed by a linear softmax that sees only the first two dims.
 * <ul>
 *   <li><b>ANODE</b>: {@code Augmentation.zeros(2)}, state [x, 0, 0], the field {@code mlp(16, 16)} gives all four
 *       derivatives;</li>
 *   <li><b>second order</b>: {@code Augmentation.secondOrder()}, state [q, v] with q = x and v = 0, dq/dt = v and the
 *       same-sized field gives only the two accelerations dv/dt.</li>
 * </ul>
 * Trained by backprop through DOPRI5 and full-batch Adam (0.01). Prints accuracy, parameters, NFE and the size of
 * the augmented dims at t1; writes {@code second-order-vs-anode.png}: per model, the trajectories of the first two
 * dims (the hidden state) and of the last two (ANODE's augmented dims, second order's velocities) in their planes,
 * and each dim over depth (the same parameters solved with RK4 on {@value FixedGridPictures#STEPS} steps, so every state
 * has a known depth).
 */
@Command(name = "second-order-vs-anode", mixinStandardHelpOptions = true,
        description = "Second-order and zero-augmented ODEs on nested 2-spheres: flows of the hidden and augmented dims.")
public final class SecondOrderVsAnode implements Callable<Integer> {

    static final int SHOWN = 80;

    @Option(names = "--iterations", defaultValue = "200", description = "full-batch Adam steps per model (default ${DEFAULT-VALUE})")
    int iterations;
    @Option(names = "--points", defaultValue = "512", description = "training points, as many again for testing (default ${DEFAULT-VALUE})")
    int points;
    @Option(names = "--width", defaultValue = "16", description = "width of the field's two hidden layers (default ${DEFAULT-VALUE})")
    int width;
    @Option(names = "--tolerance", defaultValue = "1e-3", description = "rtol = atol of the DOPRI5 solves (default ${DEFAULT-VALUE})")
    double tolerance;
    @Mixin
    ExperimentOptions options;

    public static void main(String[] args) {
        ExperimentOptions.main(new SecondOrderVsAnode(), args);
    }

    /** A model: its name, the names of its last two dims, and its ODE layer's augmentation. */
    record Model(String name, String augmentedDims, Augmentation augmentation) {
    }

    /**
     * A trained model.
     *
     * @param augmentedSize the mean |[h_3, h_4]| over the test points at t1: how much the flow uses the extra dims
     */
    record Result(Model model, NestedSpheres.Result trained, double augmentedSize) {
    }

    static List<Model> models() {
        return List.of(new Model("ANODE, zeros(2)", "augmented dims", Augmentation.zeros(2)),
                new Model("second order", "velocities", Augmentation.secondOrder()));
    }

    @Override
    public Integer call() throws IOException {
        options.require(iterations >= 1 && points >= 2 && width >= 1 && tolerance > 0,
                "need --iterations >= 1, --points >= 2, --width >= 1 and --tolerance > 0");
        DataSet train = NestedSpheres.spheres(points, options.seed());
        DataSet test = NestedSpheres.spheres(points, options.seed() + 1);
        PrintStream log = System.out;
        log.printf(Locale.ROOT, "nested 2-spheres: %d training and %d test points, mlp(%d, %d) fields, DOPRI5 at %s, "
                + "%d full-batch Adam steps%n%n", points, points, width, width, tolerance, iterations);
        List<Result> results = new ArrayList<>();
        for (Model m : models()) {
            results.add(train(m, train, test, log));
        }
        log.printf(Locale.ROOT, "%n%-16s %9s %11s %12s %24s%n", "model", "accuracy", "parameters", "NFE (test)",
                "mean |h_3,4(t1)|");
        for (Result r : results) {
            log.printf(Locale.ROOT, "%-16s %8.1f%% %11d %12d %24.3f%n", r.model().name(),
                    100 * r.trained().accuracy(), r.trained().parameters(), r.trained().nfe(), r.augmentedSize());
        }
        List<XYChart> charts = new ArrayList<>();
        DataSet shown = new DataSet(test.getFeatures().get(NDArrayIndex.interval(0, Math.min(SHOWN, points)),
                NDArrayIndex.all()), test.getLabels().get(NDArrayIndex.interval(0, Math.min(SHOWN, points)),
                NDArrayIndex.all()));
        for (Result r : results) {
            charts.addAll(panels(r, shown));
        }
        Path figure = options.figure("second-order-vs-anode.png");
        BitmapEncoder.saveBitmap(charts, results.size(), 4, figure.toString(), BitmapEncoder.BitmapFormat.PNG);
        log.println("figure written to " + figure);
        return 0;
    }

    private BaseOdeLayer layer(Model m, boolean forPictures) {
        return FixedGridPictures.stepped(new AugmentedOdeLayer.Builder().name("ode").augmentation(m.augmentation())
                .keepAugmentedDims(false).field(VectorField.mlp(width, width)), forPictures, tolerance);
    }

    Result train(Model m, DataSet train, DataSet test, PrintStream log) {
        NestedSpheres.Result trained = NestedSpheres.train(m.name(), layer(m, false), train, test, iterations, options.seed(),
                log);
        org.dl4jnode.layers.OdeLayer ode = (org.dl4jnode.layers.OdeLayer) trained.network().getLayer(0);
        List<INDArray> path = ode.trajectory(test.getFeatures());
        INDArray last = path.get(path.size() - 1).get(NDArrayIndex.all(), NDArrayIndex.interval(2, 4));
        return new Result(m, trained, last.norm2(1).meanNumber().doubleValue());
    }

    /**
     * The model's trajectories in the plane of dims 1-2 and of dims 3-4, and dims 1-2 and 3-4 over depth, from its
     * trained parameters solved on a fixed grid.
     */
    List<XYChart> panels(Result r, DataSet shown) {
        MultiLayerNetwork twin = NestedSpheres.network(layer(r.model(), true), 2, options.seed());
        twin.setParams(r.trained().network().params());
        org.dl4jnode.layers.OdeLayer ode = (org.dl4jnode.layers.OdeLayer) twin.getLayer(0);
        List<INDArray> path = ode.trajectory(shown.getFeatures());
        String name = r.model().name();
        String extra = r.model().augmentedDims();
        XYChart hidden = plane(name + ": hidden state h_1, h_2", "h_1", "h_2");
        XYChart augmented = plane(name + ": " + extra, "h_3", "h_4");
        PlaneFigures.trajectories(hidden, columns(path, 0), shown.getLabels(), shown.numExamples());
        PlaneFigures.trajectories(augmented, columns(path, 2), shown.getLabels(), shown.numExamples());
        double[] ts = FixedGridPictures.depths(ode.layerConf(), path.size());
        return List.of(hidden, augmented, overDepth(name + ": h_1 (solid), h_2 (dashed)", path, 0, shown, ts),
                overDepth(name + ": " + extra + " h_3, h_4", path, 2, shown, ts));
    }

    /** Dims {@code first} and {@code first + 1} of every state. */
    private static List<INDArray> columns(List<INDArray> path, int first) {
        return path.stream().map(s -> s.get(NDArrayIndex.all(), NDArrayIndex.interval(first, first + 2))).toList();
    }

    private static XYChart plane(String title, String x, String y) {
        XYChart chart = new XYChartBuilder().width(460).height(420).title(title).xAxisTitle(x).yAxisTitle(y).build();
        chart.getStyler().setLegendVisible(false);
        return chart;
    }

    /**
     * Dims {@code first} (solid) and {@code first + 1} (dashed) of each shown example over the depths {@code ts} of
     * its states, by class colour.
     */
    private static XYChart overDepth(String title, List<INDArray> path, int first, DataSet shown, double[] ts) {
        XYChart chart = plane(title, "depth t", "value");
        BasicStroke dashed = new BasicStroke(1.0f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {4, 3},
                0);
        for (int i = 0; i < shown.numExamples(); i++) {
            int cls = shown.getLabels().getDouble(i, 0) == 1.0 ? 0 : 1;
            for (int d = 0; d < 2; d++) {
                double[] values = new double[path.size()];
                for (int k = 0; k < values.length; k++) {
                    values[k] = path.get(k).getDouble(i, first + d);
                }
                chart.addSeries("example " + i + " dim " + (first + d), ts, values).setMarker(SeriesMarkers.NONE)
                        .setLineColor(PlaneFigures.POINT[cls]).setLineStyle(d == 0 ? new BasicStroke(1.0f) : dashed);
            }
        }
        return chart;
    }
}
