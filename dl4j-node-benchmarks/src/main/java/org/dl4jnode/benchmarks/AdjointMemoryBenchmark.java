package org.dl4jnode.benchmarks;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.benchmarks.PeakMemory;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Peak memory of one training iteration of an ODE layer with {@link GradientMode#BACKPROP},
 * {@link GradientMode#ADJOINT} and {@link GradientMode#CHECKPOINTED} (its budget {@code --checkpoint-mib}),
 * at several step counts, each in a fresh JVM ({@link PeakMemory}).
 * Linux only.
 */
@Command(name = "adjoint-memory", mixinStandardHelpOptions = true,
        description = "Peak memory of one training iteration, BACKPROP vs. ADJOINT vs. CHECKPOINTED, by number of RK4 steps.")
public final class AdjointMemoryBenchmark implements Callable<Integer> {

    @Option(names = "--steps", split = ",", defaultValue = "10,100,1000",
            description = "RK4 step counts (default ${DEFAULT-VALUE})")
    int[] steps;
    @Option(names = "--gradient", split = ",", defaultValue = "BACKPROP,ADJOINT,CHECKPOINTED",
            description = "gradient modes (default ${DEFAULT-VALUE})")
    GradientMode[] modes;
    @Option(names = "--checkpoint-mib", defaultValue = "8",
            description = "CHECKPOINTED's memory budget, MiB (default ${DEFAULT-VALUE})")
    long checkpointMib;
    @Option(names = "--width", defaultValue = "64", description = "state size and hidden width (default ${DEFAULT-VALUE})")
    int width;
    @Option(names = "--batch", defaultValue = "128", description = "minibatch size (default ${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--heap", defaultValue = "256m", description = "child JVM heap, pre-touched (default ${DEFAULT-VALUE})")
    String heap;
    @Option(names = "--measure", hidden = true, description = "child mode: MODE:STEPS")
    String measure;

    public static void main(String[] args) {
        System.exit(new CommandLine(new AdjointMemoryBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (width < 1 || batch < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--width and --batch must be >= 1, got "
                    + width + " and " + batch);
        }
        for (int n : steps) {
            if (n < 1) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--steps must be >= 1, got " + n);
            }
        }
        if (measure != null) {
            String[] parts = measure.split(":");
            measureOnce(GradientMode.valueOf(parts[0]), Integer.parseInt(parts[1]));
            return 0;
        }
        System.out.printf("one training iteration: OdeLayer mlp(%d) on %d features -> softmax(10), RK4, minibatch %d, "
                + "float32, Adam%n%n", width, width, batch);
        System.out.printf("%-8s %-12s %11s %10s %12s%n", "steps", "gradient", "peak MiB", "seconds", "NFE fwd/bwd");
        for (int n : steps) {
            for (GradientMode mode : modes) {
                String[] r = child(mode, n);
                System.out.printf("%-8d %-12s %11.1f %10.2f %12s%n", n, mode, Double.parseDouble(r[0]),
                        Double.parseDouble(r[1]), r[2] + "/" + r[3]);
            }
        }
        return 0;
    }

    private MultiLayerNetwork network(GradientMode mode, int steps, int width) {
        OdeLayer.Builder ode = new OdeLayer.Builder().name("ode").field(VectorField.mlp(width)).solver(Solver.RK4)
                .steps(steps).gradient(mode);
        if (mode == GradientMode.CHECKPOINTED) {
            ode.checkpointMemory(checkpointMib << 20);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(7).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(new Adam(1e-3)).list()
                .layer(ode.build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(width)).build());
        net.init();
        return net;
    }

    private void measureOnce(GradientMode mode, int steps) throws Exception {
        Nd4j.getRandom().setSeed(1);
        DataSet data = new DataSet(Nd4j.rand(DataType.FLOAT, batch, width),
                Nd4j.eye(10).castTo(DataType.FLOAT).getRows(cyclicLabels(batch)));
        MultiLayerNetwork net = network(mode, steps, width);
        net.output(data.getFeatures()); // loads the natives and builds the field's graph
        PeakMemory.Measurement m = PeakMemory.ofIteration(() -> net.fit(data));
        org.dl4jnode.layers.OdeLayer ode = (org.dl4jnode.layers.OdeLayer) net.getLayer(0);
        PeakMemory.report(String.format(Locale.ROOT, "%.1f", m.peakMiB()), String.format(Locale.ROOT, "%.3f",
                m.seconds()), ode.lastForwardEvaluations(), ode.lastBackwardEvaluations());
    }

    /** Labels 0, 1, ..., 9, 0, 1, ...: every class present, the same in every child. */
    private static int[] cyclicLabels(int n) {
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = i % 10;
        }
        return rows;
    }

    /** Runs one configuration in a fresh JVM; returns [peak MiB, seconds, forward NFE, backward NFE]. */
    private String[] child(GradientMode mode, int steps) throws IOException, InterruptedException {
        return PeakMemory.inFreshJvm(AdjointMemoryBenchmark.class, List.of("--measure", mode + ":" + steps,
                "--width", String.valueOf(width), "--batch", String.valueOf(batch), "--checkpoint-mib",
                String.valueOf(checkpointMib)), heap);
    }
}
