package org.dl4jnode.benchmarks;

import org.deeplearning4j.datasets.iterator.impl.MnistDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.mnist.MnistFiles;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The adjoint's error control on seed 002's MNIST setting ({@code stock-dopri5}: DL4J's conv stem,
 * {@code OdeLayer[conv(16, 3)]} with DOPRI5 and the adjoint, global average pooling, softmax): the same
 * training run with the backward solve's error measured over the whole augmented state (the default)
 * and over [h, a] only ({@code adjointSeminorm(true)}). Both start from the same parameters and see the
 * same minibatches; each prints its mean forward and backward NFE per minibatch, its backward steps and
 * its examples/s. At the end, on the trained parameters of the default run and one minibatch, each
 * gradient is compared with backpropagation through the same DOPRI5 solve in double precision
 * (relative L2 error over all parameters), the reference an adjoint converges to.
 *
 * <pre>
 * mvn -q -pl dl4j-node-benchmarks exec:java -Dexec.mainClass=org.dl4jnode.benchmarks.AdjointNormBenchmark \
 *     -Dexec.args="--iterations 100 --tol 1e-3"
 * </pre>
 */
@Command(name = "adjoint-norm-benchmark", mixinStandardHelpOptions = true,
        description = "Backward NFE and gradient error of the adjoint with and without the seminorm.")
public final class AdjointNormBenchmark implements Callable<Integer> {

    @Option(names = "--iterations", defaultValue = "100", description = "training minibatches per run (default ${DEFAULT-VALUE})")
    int iterations;
    @Option(names = "--batch", defaultValue = "64", description = "minibatch size (default ${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--tol", defaultValue = "1e-3", description = "rtol = atol of both solves (default ${DEFAULT-VALUE})")
    double tol;
    @Option(names = "--solver", defaultValue = "DOPRI5", description = "an embedded pair (default ${DEFAULT-VALUE})")
    Solver solver;

    public static void main(String[] args) {
        System.exit(new CommandLine(new AdjointNormBenchmark()).execute(args));
    }

    private OdeLayer ode(GradientMode mode, boolean seminorm) {
        OdeLayer.Builder b = new OdeLayer.Builder().field(VectorField.conv(16, 3)).solver(solver).tolerances(tol, tol)
                .gradient(mode);
        return (mode == GradientMode.ADJOINT ? b.adjointSeminorm(seminorm) : b).build();
    }

    private MultiLayerNetwork network(GradientMode mode, boolean seminorm, DataType dataType) {
        MultiLayerNetwork net = new MultiLayerNetwork(ThroughputBenchmark.stockConv(ode(mode, seminorm), dataType));
        net.init();
        return net;
    }

    @Override
    public Integer call() throws IOException {
        MnistFiles.ensureInstalled();
        MnistDataSetIterator it = new MnistDataSetIterator(batch, iterations * batch, false, true, true, 1);
        List<DataSet> batches = new ArrayList<>();
        while (it.hasNext()) {
            batches.add(it.next());
        }
        MultiLayerNetwork full = network(GradientMode.ADJOINT, false, DataType.FLOAT);
        MultiLayerNetwork semi = network(GradientMode.ADJOINT, true, DataType.FLOAT);
        semi.setParams(full.params());
        for (boolean seminorm : new boolean[] {false, true}) {
            MultiLayerNetwork net = seminorm ? semi : full;
            org.dl4jnode.layers.OdeLayer layer = (org.dl4jnode.layers.OdeLayer) net.getLayer(2);
            long forward = 0;
            long backward = 0;
            long backSteps = 0;
            long backRejected = 0;
            long start = System.nanoTime();
            for (DataSet ds : batches) {
                net.fit(ds);
                forward += layer.lastForwardEvaluations();
                backward += layer.lastBackwardEvaluations();
                backSteps += layer.lastBackwardStatistics().acceptedSteps();
                backRejected += layer.lastBackwardStatistics().rejectedSteps();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int n = batches.size();
            System.out.printf(Locale.ROOT, "RESULT norm=%s solver=%s tol=%.0e minibatches=%d forward_nfe=%.1f "
                            + "backward_nfe=%.1f backward_steps=%.1f backward_rejected=%.2f examples_per_s=%.1f "
                            + "final_score=%.4f%n", seminorm ? "seminorm" : "full", solver, tol, n, (double) forward / n,
                    (double) backward / n, (double) backSteps / n, (double) backRejected / n, n * batch / seconds,
                    net.score());
        }
        DataSet probe = batches.get(batches.size() - 1);
        INDArray params = full.params().castTo(DataType.DOUBLE);
        INDArray reference = gradient(network(GradientMode.BACKPROP, false, DataType.DOUBLE), params, probe);
        for (boolean seminorm : new boolean[] {false, true}) {
            MultiLayerNetwork net = network(GradientMode.ADJOINT, seminorm, DataType.DOUBLE);
            INDArray g = gradient(net, params, probe);
            org.dl4jnode.layers.OdeLayer layer = (org.dl4jnode.layers.OdeLayer) net.getLayer(2);
            System.out.printf(Locale.ROOT, "GRADIENT norm=%s relative_error_vs_backprop=%.2e backward_nfe=%d %s%n",
                    seminorm ? "seminorm" : "full", g.distance2(reference) / reference.norm2Number().doubleValue(),
                    layer.lastBackwardEvaluations(), layer.lastBackwardStatistics());
        }
        return 0;
    }

    private static INDArray gradient(MultiLayerNetwork net, INDArray params, DataSet ds) {
        net.setParams(params);
        net.setInput(ds.getFeatures().castTo(DataType.DOUBLE));
        net.setLabels(ds.getLabels().castTo(DataType.DOUBLE));
        net.computeGradientAndScore();
        return net.gradient().gradient().dup();
    }
}
