package org.dl4jnode.examples.experiments;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.GalerkinOdeLayer;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.layers.IntegrationDepths;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Crossing trajectories (seed 002, section 5 and appendix B.3, figures 3, 4, 12-14): learning the 1-D map
 * {@code x -> -x} on [-1, 1] with an ODE layer alone, its output h(t1) fitted to -x by an L1 loss.
 *
 * <p>The flow of a 1-D ODE whose field does not read x is an increasing map (two trajectories cannot cross), so
 * the depth-invariant and the depth-variant models ("concat": t fed to the field; GalNODE: Fourier weights) cannot
 * learn it: for every pair x, -x their L1 error is at least 2|x|, so their mean error on inputs symmetric about 0
 * is at least the inputs' mean |x| (the bound the program prints). A data-controlled field (it reads x, so each
 * input has its own flow; the linear one is seed 002's hand-crafted model (16), f = [h, x] W + b) and an
 * adaptive-depth model (each input integrated for its own depth T(x) = |1 + g(x)|) can.
 *
 * <p>Each model trains with DOPRI5 (rtol = atol = {@code --tolerance}, backprop through the solver) and full-batch
 * Adam. Its pictures come from the same parameters solved with RK4 on 40 steps, so every state is at a known
 * depth. Prints a table (parameters, training loss, the test error on 101 inputs, NFE, time) and writes
 * {@code crossing-trajectories.png}: each model's trajectories h(t) over depth, over its learned vector field where
 * the field does not depend on x, the learned integration depths T(x), and every model's learned map.
 */
@Command(name = "crossing-trajectories", mixinStandardHelpOptions = true,
        description = "Learning x -> -x: vanilla and depth-variant ODEs cannot, data-controlled and adaptive-depth can.")
public final class CrossingTrajectories implements Callable<Integer> {

    static final int TEST_POINTS = 101;

    @Option(names = "--iterations", defaultValue = "1000", description = "full-batch Adam steps per model (default ${DEFAULT-VALUE})")
    int iterations;
    @Option(names = "--points", defaultValue = "32", description = "training inputs, evenly spaced in [-1, 1] (default ${DEFAULT-VALUE})")
    int points;
    @Option(names = "--learning-rate", defaultValue = "0.01", description = "Adam's learning rate (default ${DEFAULT-VALUE})")
    double learningRate;
    @Option(names = "--tolerance", defaultValue = "1e-4", description = "rtol = atol of the DOPRI5 solves (default ${DEFAULT-VALUE})")
    double tolerance;
    @Mixin
    ExperimentOptions options;

    public static void main(String[] args) {
        ExperimentOptions.main(new CrossingTrajectories(), args);
    }

    /** How a model's ODE layer is built: stepped adaptively for training, or on a fixed grid for its pictures. */
    @FunctionalInterface
    interface LayerFactory {
        BaseOdeLayer build(boolean forPictures);
    }

    /** A model: its name and its ODE layer. */
    record Model(String name, LayerFactory layer) {
    }

    /**
     * A trained model.
     *
     * @param testError   mean |h(t1) + x| over the test inputs
     * @param maxError    the largest |h(t1) + x| over them
     * @param nfe         field evaluations of the forward solve on the test inputs
     */
    record Result(Model model, MultiLayerNetwork network, double trainingLoss, double testError, double maxError,
                  long nfe, double seconds) {
    }

    @Override
    public Integer call() throws IOException {
        options.require(iterations >= 1 && points >= 2 && learningRate > 0 && tolerance > 0,
                "need --iterations >= 1, --points >= 2, --learning-rate > 0 and --tolerance > 0");
        PrintStream log = System.out;
        DataSet train = data(points);
        DataSet test = data(TEST_POINTS);
        log.printf(Locale.ROOT, "x -> -x on %d inputs in [-1, 1], L1 loss, %d full-batch Adam(%s) steps, DOPRI5 at %s%n",
                points, iterations, learningRate, tolerance);
        List<Result> results = new ArrayList<>();
        for (Model m : models()) {
            results.add(train(m, train, test, log));
        }
        double bound = test.getFeatures().amean().getDouble(0);
        log.printf(Locale.ROOT, "%n%-26s %11s %12s %16s %12s %11s %9s%n", "model", "parameters", "train loss",
                "test mean |err|", "max |err|", "NFE (test)", "seconds");
        for (Result r : results) {
            log.printf(Locale.ROOT, "%-26s %11d %12.4f %16.4f %12.4f %11d %9.1f%n", r.model().name(),
                    r.network().numParams(), r.trainingLoss(), r.testError(), r.maxError(), r.nfe(), r.seconds());
        }
        log.printf(Locale.ROOT, "a flow that does not read x has a mean test error of at least %.4f (the inputs' "
                + "mean |x|)%n", bound);
        Path figure = options.figure("crossing-trajectories.png");
        BitmapEncoder.saveBitmap(figures(results, test), 2, 4, figure.toString(), BitmapEncoder.BitmapFormat.PNG);
        log.println("figure written to " + figure);
        return 0;
    }

    /** Seed 002's models for this task (appendix B.3). */
    List<Model> models() {
        return List.of(
                new Model("depth-invariant", p -> stepped(new OdeLayer.Builder()
                        .field(VectorField.mlp(16, 16).timeDependent(false)), p)),
                new Model("depth-variant (concat)", p -> stepped(new OdeLayer.Builder()
                        .field(VectorField.mlp(32, 32)), p)),
                new Model("GalNODE, fourier(2)", p -> stepped(new GalerkinOdeLayer.Builder()
                        .field(VectorField.mlp(32).timeDependent(false)).basis(Basis.fourier(2)), p)),
                new Model("data-controlled, linear", p -> stepped(new OdeLayer.Builder()
                        .field(VectorField.mlp().timeDependent(false)).dataControlled(true), p)),
                new Model("data-controlled", p -> stepped(new OdeLayer.Builder()
                        .field(VectorField.mlp(32, 32).timeDependent(false)).dataControlled(true), p)),
                new Model("adaptive depth", p -> stepped(new OdeLayer.Builder()
                        .field(VectorField.mlp(8, 8)).adaptiveDepth(8), p)));
    }

    private <B extends BaseOdeLayer.Builder<B>> BaseOdeLayer stepped(B builder, boolean forPictures) {
        return FixedGridPictures.stepped(builder.name("ode"), forPictures, tolerance);
    }

    /** The ODE layer alone, its output h(t1) fitted to the labels by an L1 loss. */
    MultiLayerNetwork network(BaseOdeLayer ode) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(options.seed()).dataType(DataType.FLOAT).updater(new Adam(learningRate)).list()
                .layer(ode)
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.L1).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(1))
                .build());
        net.init();
        return net;
    }

    Result train(Model model, DataSet train, DataSet test, PrintStream log) {
        MultiLayerNetwork net = network(model.layer().build(false));
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            net.fit(train);
            if ((i + 1) % 250 == 0 || i + 1 == iterations) {
                log.printf(Locale.ROOT, "%-26s iteration %5d/%d  loss %.4f  (%.1f s)%n", model.name(), i + 1,
                        iterations, net.score(), (System.nanoTime() - start) / 1e9);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double loss = net.score(train);
        INDArray error = net.output(test.getFeatures()).sub(test.getLabels());
        org.dl4jnode.layers.OdeLayer layer = (org.dl4jnode.layers.OdeLayer) net.getLayer(0);
        return new Result(model, net, loss, error.amean().getDouble(0), error.amax().getDouble(0),
                layer.lastForwardEvaluations(), seconds);
    }

    /** {@code n} inputs evenly spaced over [-1, 1] ({@code [n, 1]}) labelled -x. */
    static DataSet data(int n) {
        INDArray x = Nd4j.linspace(-1, 1, n, DataType.FLOAT).reshape(n, 1);
        return new DataSet(x, x.neg());
    }

    /** One panel per model, then the learned depths of the adaptive-depth models and every model's map. */
    List<XYChart> figures(List<Result> results, DataSet test) {
        List<XYChart> charts = new ArrayList<>();
        INDArray shown = data(21).getFeatures();
        for (Result r : results) {
            charts.add(trajectories(r, shown));
        }
        XYChart depths = chart("learned integration depths T(x)", "x", "T(x)");
        XYChart maps = chart("learned maps h(t1)(x); target -x", "x", "h(t1)");
        double[] xs = test.getFeatures().toDoubleVector();
        maps.addSeries("target -x", xs, test.getLabels().toDoubleVector()).setMarker(SeriesMarkers.NONE)
                .setLineColor(Color.BLACK).setLineStyle(new BasicStroke(2.5f));
        for (Result r : results) {
            org.dl4jnode.layers.OdeLayer layer = (org.dl4jnode.layers.OdeLayer) r.network().getLayer(0);
            if (layer.layerConf().odeSystem().hasAdaptiveDepth()) {
                depths.addSeries(r.model().name(), xs, IntegrationDepths.of(layer, test.getFeatures()))
                        .setMarker(SeriesMarkers.NONE);
            }
            maps.addSeries(r.model().name(), xs, r.network().output(test.getFeatures()).toDoubleVector())
                    .setMarker(SeriesMarkers.NONE);
        }
        depths.getStyler().setLegendVisible(false);
        maps.getStyler().setLegendVisible(true);
        charts.add(depths);
        charts.add(maps);
        return charts;
    }

    /**
     * A model's trajectories h(t) over depth t for {@code inputs} (red: x &gt; 0, blue: x &lt; 0), from its parameters
     * solved on a fixed grid of {@link FixedGridPictures#STEPS} steps (an adaptive-depth input's states stretched to its own
     * depth), over short segments along (1, f(t, h)) where the field does not read x.
     */
    XYChart trajectories(Result r, INDArray inputs) {
        MultiLayerNetwork twin = network(r.model().layer().build(true));
        twin.setParams(r.network().params());
        org.dl4jnode.layers.OdeLayer layer = (org.dl4jnode.layers.OdeLayer) twin.getLayer(0);
        BaseOdeLayer conf = layer.layerConf();
        double t0 = conf.getTimeStart();
        double t1 = conf.getTimeEnd();
        XYChart chart = chart(String.format(Locale.ROOT, "%s: mean |error| %.3f", r.model().name(), r.testError()),
                "depth t", "h(t)");
        if (!conf.odeSystem().readsInput()) {
            arrows(chart, layer, t0, t1);
        }
        List<INDArray> path = layer.trajectory(inputs);
        double[] grid = FixedGridPictures.depths(conf, path.size());
        double[] depths = conf.odeSystem().hasAdaptiveDepth() ? IntegrationDepths.of(layer, inputs) : null;
        for (int i = 0; i < inputs.rows(); i++) {
            double x = inputs.getDouble(i, 0);
            double[] ts = new double[path.size()];
            double[] hs = new double[path.size()];
            for (int k = 0; k < path.size(); k++) {
                ts[k] = depths == null ? grid[k] : t0 + depths[i] * (grid[k] - t0);
                hs[k] = path.get(k).getDouble(i, 0);
            }
            chart.addSeries("x = " + x, ts, hs).setMarker(SeriesMarkers.NONE)
                    .setLineColor(x > 0 ? PlaneFigures.POINT[0] : PlaneFigures.POINT[1])
                    .setLineStyle(new BasicStroke(1.4f));
        }
        return chart;
    }

    /** Short grey segments along (1, f(t, h)) on a grid of depths and states: the field's direction. */
    private static void arrows(XYChart chart, org.dl4jnode.layers.OdeLayer layer, double t0, double t1) {
        int columns = 13;
        int rows = 15;
        double hMax = 1.5;
        double dt = (t1 - t0) / (columns - 1);
        double dh = 2 * hMax / (rows - 1);
        INDArray h = Nd4j.linspace(-hMax, hMax, rows, DataType.FLOAT).reshape(rows, 1);
        for (int c = 0; c < columns; c++) {
            double t = t0 + c * dt;
            INDArray f = layer.vectorFieldAt(t, h);
            for (int j = 0; j < rows; j++) {
                double slope = f.getDouble(j, 0);
                // a segment of 0.7 grid cells, in the cell's own units, so that every direction shows
                double run = 0.35 * dt / Math.sqrt(1 + Math.pow(slope * dt / dh, 2));
                double y = h.getDouble(j, 0);
                chart.addSeries("f" + c + "," + j, new double[] {t - run, t + run},
                        new double[] {y - slope * run, y + slope * run}).setMarker(SeriesMarkers.NONE)
                        .setLineColor(Color.GRAY).setLineStyle(new BasicStroke(1.0f));
            }
        }
    }

    private static XYChart chart(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(460).height(400).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        return chart;
    }
}
