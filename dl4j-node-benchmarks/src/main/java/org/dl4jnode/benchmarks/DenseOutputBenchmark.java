package org.dl4jnode.benchmarks;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
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

import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Output times read off the steps ({@code interpolateOutputs(true)}) against stepping to each: a
 * trajectory fit, {@code OdeLayer[mlp(32)]} on 2-D states with T output times over [0, 4] and an
 * {@code RnnOutputLayer} (MSE) after it, the targets a decaying rotation of the input. For each solver,
 * number of times and output mode, both from the same parameters and on the same minibatches, it
 * prints the mean forward NFE per training minibatch and examples/s; then, on the trained parameters,
 * the largest difference of the outputs from a solve at tolerance 1e-10 that steps to every time.
 *
 * <pre>
 * mvn -q -pl dl4j-node-benchmarks exec:java -Dexec.mainClass=org.dl4jnode.benchmarks.DenseOutputBenchmark \
 *     -Dexec.args="--iterations 50 --times 10,50,200"
 * </pre>
 */
@Command(name = "dense-output-benchmark", mixinStandardHelpOptions = true,
        description = "NFE and output error of interpolated output times against stepping to each.")
public final class DenseOutputBenchmark implements Callable<Integer> {

    @Option(names = "--iterations", defaultValue = "50", description = "training minibatches per run (default ${DEFAULT-VALUE})")
    int iterations;
    @Option(names = "--batch", defaultValue = "64", description = "minibatch size (default ${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--tol", defaultValue = "1e-5", description = "rtol = atol (default ${DEFAULT-VALUE})")
    double tol;
    @Option(names = "--times", split = ",", defaultValue = "10,50,200", description = "numbers of output times (default ${DEFAULT-VALUE})")
    int[] counts;
    @Option(names = "--seed", defaultValue = "7", description = "parameters and data (default ${DEFAULT-VALUE})")
    long seed;

    private static final double END = 4.0;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DenseOutputBenchmark()).execute(args));
    }

    private MultiLayerNetwork network(Solver solver, double tolerance, double[] times, boolean interpolate) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT)
                .updater(new Adam(1e-2)).list()
                .layer(new OdeLayer.Builder().field(VectorField.mlp(32)).solver(solver).tolerances(tolerance, tolerance)
                        .timeSpan(0, END).outputTimes(times).interpolateOutputs(interpolate)
                        .gradient(GradientMode.BACKPROP).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(2)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** x and its decaying rotation at each time, {@code [n, 2, T]}. */
    private static DataSet data(int n, double[] times, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 2).subi(0.5).muli(2);
        INDArray y = Nd4j.create(DataType.FLOAT, n, 2, times.length);
        for (int k = 0; k < times.length; k++) {
            double t = times[k];
            double c = Math.cos(t) * Math.exp(-0.2 * t);
            double s = Math.sin(t) * Math.exp(-0.2 * t);
            for (int i = 0; i < n; i++) {
                double a = x.getDouble(i, 0);
                double b = x.getDouble(i, 1);
                y.putScalar(new long[] {i, 0, k}, c * a - s * b);
                y.putScalar(new long[] {i, 1, k}, s * a + c * b);
            }
        }
        return new DataSet(x, y);
    }

    @Override
    public Integer call() {
        for (Solver solver : new Solver[] {Solver.DOPRI5, Solver.TSIT5}) {
            for (int count : counts) {
                double[] times = new double[count];
                for (int k = 0; k < count; k++) {
                    times[k] = END * (k + 1) / count;
                }
                DataSet[] batches = new DataSet[iterations];
                for (int i = 0; i < iterations; i++) {
                    batches[i] = data(batch, times, seed + 1 + i);
                }
                INDArray initial = network(solver, tol, times, false).params().dup();
                for (boolean interpolate : new boolean[] {false, true}) {
                    MultiLayerNetwork net = network(solver, tol, times, interpolate);
                    net.setParams(initial);
                    org.dl4jnode.layers.OdeLayer layer = (org.dl4jnode.layers.OdeLayer) net.getLayer(0);
                    long nfe = 0;
                    long start = System.nanoTime();
                    for (DataSet ds : batches) {
                        net.fit(ds);
                        nfe += layer.lastForwardEvaluations();
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    MultiLayerNetwork reference = network(solver, 1e-10, times, false);
                    reference.setParams(net.params());
                    INDArray probe = batches[0].getFeatures();
                    double error = net.output(probe).sub(reference.output(probe)).amaxNumber().doubleValue();
                    System.out.printf(Locale.ROOT, "RESULT solver=%s times=%d tol=%.0e outputs=%s forward_nfe=%.1f "
                                    + "examples_per_s=%.0f max_output_error=%.2e final_score=%.4f%n", solver, count,
                            tol, interpolate ? "interpolated" : "stepped", (double) nfe / iterations,
                            iterations * batch / seconds, error, net.score());
                }
            }
        }
        return 0;
    }
}
