package org.dl4jnode.examples.experiments;

import org.deeplearning4j.eval.Evaluation;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
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
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * "Mind your input networks" (seed 002, section 5, figure 6 and appendix B.3): nested 2-spheres solved without
 * augmentation by prepending a two-layer network (2 -> 16, ReLU -> 2, linear) to the ODE, and the ablation the seed
 * recommends, which shows that the flow then does almost nothing: the input network has already made the classes
 * linearly separable.
 *
 * <p>Three networks, each ending in a linear softmax on 2 dims, trained by full-batch Adam (0.01):
 * <ul>
 *   <li><b>input network + ODE</b>: dense 2 -> 16 (ReLU), dense 16 -> 2 (identity), an {@code OdeLayer} with an
 *       {@code mlp(16)} field (DOPRI5), softmax;</li>
 *   <li><b>input network alone</b>: the same without the ODE layer;</li>
 *   <li><b>ODE alone</b>: the ODE layer on the points themselves, which must squeeze the disc through the annulus.</li>
 * </ul>
 * The ablation evaluates each network that has an ODE layer with that layer removed (its trained weights kept, h(t1)
 * replaced by h(t0)), trains a fresh linear softmax on h(t0) (a linear probe: are the classes separable before the
 * flow?), and measures how far the flow moves the points: the mean |h(t1) - h(t0)| over the mean |h(t0)|.
 * Writes {@code input-networks.png}: the input network's outputs h(t0) with their trajectories through the flow, and
 * the decision regions with and without the ODE layer.
 */
@Command(name = "input-networks", mixinStandardHelpOptions = true,
        description = "Nested 2-spheres with an input network before the ODE, and the ablation of the ODE block.")
public final class InputNetworks implements Callable<Integer> {

    @Option(names = "--iterations", defaultValue = "300", description = "full-batch Adam steps per model (default ${DEFAULT-VALUE})")
    int iterations;
    @Option(names = "--points", defaultValue = "512", description = "training points, as many again for testing (default ${DEFAULT-VALUE})")
    int points;
    @Option(names = "--tolerance", defaultValue = "1e-3", description = "rtol = atol of the DOPRI5 solves (default ${DEFAULT-VALUE})")
    double tolerance;
    @Mixin
    ExperimentOptions options;

    public static void main(String[] args) {
        ExperimentOptions.main(new InputNetworks(), args);
    }

    /**
     * A trained network, its test accuracy, and (for one with an ODE layer) the same without it.
     *
     * @param odeIndex     the ODE layer's index, -1 when there is none
     * @param ablated      test accuracy with the ODE layer removed (NaN without one)
     * @param probe        test accuracy of a fresh linear softmax trained on h(t0), the ODE layer's input (NaN
     *                     without one): whether the classes are linearly separable before the flow
     * @param displacement mean |h(t1) - h(t0)| over mean |h(t0)| on the test points (NaN without an ODE layer)
     */
    record Result(String name, MultiLayerNetwork network, int odeIndex, double accuracy, double ablated,
                  double probe, double displacement, long nfe) {
    }

    @Override
    public Integer call() throws IOException {
        options.require(iterations >= 1 && points >= 2 && tolerance > 0,
                "need --iterations >= 1, --points >= 2 and --tolerance > 0");
        DataSet train = NestedSpheres.spheres(points, options.seed());
        DataSet test = NestedSpheres.spheres(points, options.seed() + 1);
        PrintStream log = System.out;
        log.printf(Locale.ROOT, "nested 2-spheres: %d training and %d test points, %d full-batch Adam steps, DOPRI5 at "
                + "%s%n", points, points, iterations, tolerance);
        List<Result> results = List.of(
                train("input network + ODE", true, true, train, test, log),
                train("input network alone", true, false, train, test, log),
                train("ODE alone", false, true, train, test, log));
        log.printf(Locale.ROOT, "%n%-22s %9s %17s %22s %26s %11s%n", "model", "accuracy", "ODE layer removed",
                "linear probe on h(t0)", "|h(t1) - h(t0)| / |h(t0)|", "NFE (test)");
        for (Result r : results) {
            log.printf(Locale.ROOT, "%-22s %8.1f%% %17s %22s %26s %11s%n", r.name(), 100 * r.accuracy(),
                    r.odeIndex() < 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * r.ablated()),
                    r.odeIndex() < 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * r.probe()),
                    r.odeIndex() < 0 ? "-" : String.format(Locale.ROOT, "%.3f", r.displacement()),
                    r.odeIndex() < 0 ? "-" : String.valueOf(r.nfe()));
        }
        Result withInput = results.get(0);
        List<INDArray> states = withInput.network().feedForward(test.getFeatures(), false);
        INDArray h0 = states.get(withInput.odeIndex());
        double extent = 1.1 * Math.max(h0.amaxNumber().doubleValue(),
                states.get(withInput.odeIndex() + 1).amaxNumber().doubleValue());
        XYChart flow = PlaneFigures.flow("flow of h(t0) = input net(x)", odeLayer(withInput),
                new DataSet(h0, test.getLabels()), extent, 120);
        double r = 1.1 * NestedSpheres.R3;
        List<XYChart> charts = List.of(flow,
                PlaneFigures.decisionRegions(String.format(Locale.ROOT, "input network + ODE: %.1f%%",
                        100 * withInput.accuracy()), x -> withInput.network().output(x, false), test, r),
                PlaneFigures.decisionRegions(String.format(Locale.ROOT, "the same, ODE removed: %.1f%%",
                        100 * withInput.ablated()), x -> withoutOde(withInput.network(), withInput.odeIndex()).output(x, false), test, r),
                PlaneFigures.flow("ODE alone", odeLayer(results.get(2)), test, r, 120));
        Path figure = options.figure("input-networks.png");
        BitmapEncoder.saveBitmap(charts, 1, charts.size(), figure.toString(), BitmapEncoder.BitmapFormat.PNG);
        log.println("figure written to " + figure);
        return 0;
    }

    Result train(String name, boolean inputNetwork, boolean ode, DataSet train, DataSet test, PrintStream log) {
        MultiLayerNetwork net = network(inputNetwork, ode);
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            net.fit(train);
            if ((i + 1) % 100 == 0 || i + 1 == iterations) {
                log.printf(Locale.ROOT, "%-22s iteration %4d/%d  loss %.4f  (%.1f s)%n", name, i + 1, iterations,
                        net.score(), (System.nanoTime() - start) / 1e9);
            }
        }
        double accuracy = accuracy(net, test);
        if (!ode) {
            return new Result(name, net, -1, accuracy, Double.NaN, Double.NaN, Double.NaN, 0);
        }
        int index = inputNetwork ? 2 : 0;
        List<INDArray> activations = net.feedForward(test.getFeatures(), false);
        INDArray h0 = activations.get(index);
        INDArray h1 = activations.get(index + 1);
        double displacement = h1.sub(h0).norm2(1).meanNumber().doubleValue() / h0.norm2(1).meanNumber().doubleValue();
        long nfe = ((org.dl4jnode.layers.OdeLayer) net.getLayer(index)).lastForwardEvaluations();
        return new Result(name, net, index, accuracy, accuracy(withoutOde(net, index), test),
                linearProbe(net, index, train, test), displacement, nfe);
    }

    /**
     * Test accuracy of a fresh linear softmax trained (full batch, Adam 0.01, {@code --iterations} steps) on the
     * input of {@code net}'s layer {@code index}, the trained layers before it fixed.
     */
    double linearProbe(MultiLayerNetwork net, int index, DataSet train, DataSet test) {
        MultiLayerNetwork probe = network(false, false);
        DataSet features = new DataSet(net.feedForward(train.getFeatures(), false).get(index), train.getLabels());
        for (int i = 0; i < iterations; i++) {
            probe.fit(features);
        }
        return accuracy(probe, new DataSet(net.feedForward(test.getFeatures(), false).get(index), test.getLabels()));
    }

    /** {@code net} without its ODE layer (at {@code odeIndex}), every other layer with its trained parameters. */
    MultiLayerNetwork withoutOde(MultiLayerNetwork net, int odeIndex) {
        MultiLayerNetwork ablated = network(odeIndex > 0, false);
        for (int i = 0, j = 0; i < net.getnLayers(); i++) {
            if (i != odeIndex) {
                ablated.getLayer(j++).setParams(net.getLayer(i).params().dup());
            }
        }
        return ablated;
    }

    private MultiLayerNetwork network(boolean inputNetwork, boolean ode) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(options.seed()).dataType(DataType.FLOAT).updater(new Adam(1e-2)).list();
        if (inputNetwork) {
            list.layer(new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build())
                    .layer(new DenseLayer.Builder().nOut(2).activation(Activation.IDENTITY).build());
        }
        if (ode) {
            list.layer(new OdeLayer.Builder().name("ode").field(VectorField.mlp(16)).solver(Solver.DOPRI5)
                    .tolerances(tolerance, tolerance).build());
        }
        MultiLayerNetwork net = new MultiLayerNetwork(list
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(2)).build());
        net.init();
        return net;
    }

    private static double accuracy(MultiLayerNetwork net, DataSet test) {
        Evaluation evaluation = new Evaluation(2);
        evaluation.eval(test.getLabels(), net.output(test.getFeatures()));
        return evaluation.accuracy();
    }

    private static org.dl4jnode.layers.OdeLayer odeLayer(Result r) {
        return (org.dl4jnode.layers.OdeLayer) r.network().getLayer(r.odeIndex());
    }
}
