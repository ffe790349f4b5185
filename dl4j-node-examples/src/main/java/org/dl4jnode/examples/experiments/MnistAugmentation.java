package org.dl4jnode.examples.experiments;

import org.deeplearning4j.datasets.iterator.impl.MnistDataSetIterator;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jnode.conf.Augmentation;
import org.dl4jnode.conf.AugmentedOdeLayer;
import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.mnist.MnistFiles;
import org.dl4jnode.listeners.NfeListener;
import org.knowm.xchart.BitmapEncoder;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Seed 002's MNIST augmentation study (section 4, Table 1, figure 9; appendix B): four depth-invariant
 * conv ODE classifiers, solved by DOPRI5 at a tolerance and trained with the adjoint.
 *
 * <ul>
 *   <li><b>vanilla</b>: the ODE on the 1-channel image;</li>
 *   <li><b>ANODE</b>: 0-augmentation to {@code --channels} channels ({@link Augmentation#zeros});</li>
 *   <li><b>IL-NODE</b>: a single linear 3x3 convolution lifts 1 to {@code --channels} channels;</li>
 *   <li><b>2nd order</b>: a linear convolution lifts 1 channel to {@code --channels / 2} positions, the
 *   state adds as many velocities ({@link Augmentation#secondOrder()}, starting at zero) and the field
 *   computes only the accelerations.</li>
 * </ul>
 *
 * <p>Every field is the paper's 3-layer CNN ({@code VectorField.cnn(3, h, h).kernels(1, 3, 1)}, ReLU,
 * autonomous: {@code in -> h -> h -> out}), and a linear softmax layer reads the whole final state.
 * {@code --pool 2} (default) first averages 2x2 pixel blocks, so the ODEs run on 14x14 images: the
 * adaptive solves on 28x28 are beyond a 2-core machine's half hour.
 *
 * <p>Records per training iteration the forward and backward NFE (and prints the loss), and every
 * {@code --eval-every} iterations the accuracy on the first {@code --curve-examples} test images; at the
 * end the accuracy on {@code --test-examples}. Prints one table (mean and standard deviation over the
 * seeds, NFE at convergence = mean over the last quarter of the iterations, parameters) and writes
 * {@code mnist-augmentation-curves.png} (accuracy and the forward and adjoint NFE over iterations, as figure 9).
 */
@Command(name = "mnist-augmentation", mixinStandardHelpOptions = true,
        description = "Seed 002's Table 1: vanilla, ANODE, IL-NODE and second-order conv ODEs on MNIST.")
public final class MnistAugmentation implements Callable<Integer> {

    /** The four models of Table 1. */
    public enum Variant {
        VANILLA("vanilla"), ANODE("ANODE"), IL_NODE("IL-NODE"), SECOND_ORDER("2nd order");

        private final String label;

        Variant(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    @Option(names = "--models", split = ",", defaultValue = "VANILLA,ANODE,IL_NODE,SECOND_ORDER",
            description = "which of VANILLA, ANODE, IL_NODE, SECOND_ORDER (default: all four)")
    List<Variant> models;
    @Option(names = "--seeds", defaultValue = "3", description = "seeded runs per model (default ${DEFAULT-VALUE})")
    int seeds;
    @Option(names = "--epochs", defaultValue = "1", description = "passes over the training images (default ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--train-examples", defaultValue = "10000", description = "the first N training images (default ${DEFAULT-VALUE})")
    int trainExamples;
    @Option(names = "--test-examples", defaultValue = "10000", description = "final accuracy on the first N test images (default ${DEFAULT-VALUE})")
    int testExamples;
    @Option(names = "--curve-examples", defaultValue = "500", description = "test images of the accuracy curve (default ${DEFAULT-VALUE})")
    int curveExamples;
    @Option(names = "--eval-every", defaultValue = "10", description = "iterations between points of the accuracy curve (default ${DEFAULT-VALUE})")
    int evalEvery;
    @Option(names = "--batch", defaultValue = "64", description = "minibatch size (default ${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam's learning rate, constant (default ${DEFAULT-VALUE})")
    double learningRate;
    @Option(names = "--channels", defaultValue = "6", description = "channels of the augmented models' ODE state (default ${DEFAULT-VALUE})")
    int channels;
    @Option(names = "--hidden", defaultValue = "16", description = "channels of the field's two hidden layers (paper: 64; default ${DEFAULT-VALUE})")
    int hidden;
    @Option(names = "--pool", defaultValue = "2", description = "average-pool the images by this factor first, 1: none (default ${DEFAULT-VALUE})")
    int pool;
    @Option(names = "--tolerance", defaultValue = "1e-3", description = "rtol = atol of DOPRI5, forward and adjoint (default ${DEFAULT-VALUE})")
    double tolerance;
    @Option(names = "--seed", defaultValue = "1", description = "first random seed; run k uses seed + k (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--progress-seconds", defaultValue = "30", description = "seconds between progress lines (default ${DEFAULT-VALUE})")
    double progressSeconds;
    @Option(names = "--out", defaultValue = "docs/figures", description = "where the PNG figure goes (default ${DEFAULT-VALUE})")
    Path out;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new MnistAugmentation()).execute(args));
    }

    /** The models' shared setup; {@link #configuration} builds one of them. */
    public record Setup(int channels, int hidden, int pool, double tolerance, double learningRate) {

        public Setup {
            if (channels < 2 || channels % 2 != 0) {
                throw new IllegalArgumentException("--channels must be even and >= 2 (the second-order model splits "
                        + "them into positions and velocities), got " + channels);
            }
            if (hidden < 1 || pool < 1 || !(tolerance > 0) || !(learningRate > 0)) {
                throw new IllegalArgumentException("need --hidden >= 1, --pool >= 1, --tolerance > 0 and --lr > 0, got "
                        + hidden + ", " + pool + ", " + tolerance + ", " + learningRate);
            }
            if (28 % pool != 0) {
                throw new IllegalArgumentException("--pool must divide 28, got " + pool);
            }
        }

        /** The network of {@code variant}: [pool] -> [input conv] -> ODE -> softmax over the whole state. */
        public MultiLayerConfiguration configuration(Variant variant, long seed) {
            NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                    .seed(seed)
                    .updater(new Adam(learningRate))
                    .weightInit(WeightInit.XAVIER)
                    .list();
            if (pool > 1) {
                list.layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG).kernelSize(pool, pool)
                        .stride(pool, pool).build());
            }
            switch (variant) {
                case VANILLA -> list.layer(ode(new OdeLayer.Builder()));
                case ANODE -> list.layer(ode(new AugmentedOdeLayer.Builder().augmentation(Augmentation.zeros(channels - 1))));
                case IL_NODE -> list.layer(inputLayer(channels)).layer(ode(new OdeLayer.Builder()));
                case SECOND_ORDER -> list.layer(inputLayer(channels / 2))
                        .layer(ode(new AugmentedOdeLayer.Builder().augmentation(Augmentation.secondOrder())));
            }
            return list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutionalFlat(28, 28, 1))
                    .build();
        }

        /** The linear convolution of IL-NODE and the second-order model. */
        private static ConvolutionLayer inputLayer(int out) {
            return new ConvolutionLayer.Builder(3, 3).nOut(out).convolutionMode(ConvolutionMode.Same)
                    .activation(Activation.IDENTITY).build();
        }

        private <B extends BaseOdeLayer.Builder<B>> BaseOdeLayer ode(B builder) {
            return builder.name("ode")
                    .field(VectorField.cnn(3, hidden, hidden).kernels(1, 3, 1).activation(Activation.RELU)
                            .timeDependent(false))
                    .solver(Solver.DOPRI5).tolerances(tolerance, tolerance)
                    .gradient(GradientMode.ADJOINT)
                    .build();
        }
    }

    /**
     * One seeded run.
     *
     * @param accuracy       final test accuracy in [0, 1]
     * @param parameters     all of the network's parameters
     * @param odeParameters  the input convolution's and the ODE layer's
     * @param forwardNfe     NFE of each iteration's forward solve
     * @param backwardNfe    NFE of each iteration's adjoint solve
     * @param curveIteration iterations at which {@code curveAccuracy} was measured
     * @param curveAccuracy  accuracy on the curve's test images
     * @param seconds        training time
     */
    public record Run(Variant variant, long seed, double accuracy, long parameters, long odeParameters,
                      double[] forwardNfe, double[] backwardNfe, int[] curveIteration, double[] curveAccuracy,
                      double seconds) {

        /** Mean NFE over the last quarter of the iterations: the paper's "NFE at convergence". */
        double convergedNfe(double[] nfe) {
            int from = nfe.length - Math.max(1, nfe.length / 4);
            return Arrays.stream(nfe, from, nfe.length).average().orElse(Double.NaN);
        }
    }

    @Override
    public Integer call() throws IOException {
        Setup setup;
        try {
            setup = new Setup(channels, hidden, pool, tolerance, learningRate);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        if (models.isEmpty() || seeds < 1 || epochs < 1 || batch < 1 || evalEvery < 1 || trainExamples < 1
                || trainExamples > 60_000 || testExamples < 1 || testExamples > 10_000 || curveExamples < 1
                || curveExamples > 10_000 || !(progressSeconds > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "need a model, --seeds, --epochs, --batch, "
                    + "--eval-every >= 1, --train-examples in [1, 60000], --test-examples and --curve-examples in "
                    + "[1, 10000], --progress-seconds > 0");
        }
        MnistFiles.ensureInstalled();
        PrintStream log = System.out;
        log.printf(Locale.ROOT, "MNIST: %d training images x %d epoch(s), minibatch %d, Adam %s; images pooled by %d "
                        + "(%dx%d); fields cnn(3, %d, %d) kernels 1-3-1, ReLU; DOPRI5 rtol = atol = %s, adjoint; "
                        + "%d seed(s)%n%n", trainExamples, epochs, batch, learningRate, pool, 28 / pool, 28 / pool,
                hidden, hidden, tolerance, seeds);
        DataSet curveSet = testImages(curveExamples);
        List<Run> runs = new ArrayList<>();
        for (Variant v : EnumSet.copyOf(models)) {
            for (int k = 0; k < seeds; k++) {
                runs.add(run(setup, v, seed + k, curveSet, log));
            }
        }
        log.println();
        MnistAugmentationReport.table(runs, log);
        Files.createDirectories(out);
        Path figure = out.resolve("mnist-augmentation-curves.png");
        BitmapEncoder.saveBitmap(MnistAugmentationReport.curves(runs), 1, 3, figure.toString(), BitmapEncoder.BitmapFormat.PNG);
        log.println("figure written to " + figure);
        return 0;
    }

    /** Trains one model with one seed, minibatch by minibatch, recording the curves. */
    Run run(Setup setup, Variant variant, long runSeed, DataSet curveSet, PrintStream log) throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(setup.configuration(variant, runSeed));
        net.init();
        // everything before the softmax layer: the input convolution, if any, and the ODE (pooling has none)
        long odeParameters = net.numParams() - net.getOutputLayer().numParams();
        NfeListener nfe = new NfeListener(Integer.MAX_VALUE);
        net.setListeners(nfe);
        int perEpoch = (trainExamples + batch - 1) / batch;
        int total = perEpoch * epochs;
        double[] forward = new double[total];
        double[] backward = new double[total];
        List<Integer> curveIteration = new ArrayList<>();
        List<Double> curveAccuracy = new ArrayList<>();
        String name = variant.label() + ", seed " + runSeed;
        long start = System.nanoTime();
        long lastPrint = start;
        int iteration = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            DataSetIterator train = new MnistDataSetIterator(batch, trainExamples, false, true, true, runSeed + epoch);
            while (train.hasNext()) {
                net.fit(train.next());
                NfeListener.Iteration it = nfe.last();
                forward[iteration] = it.forward();
                backward[iteration] = it.backward();
                iteration++;
                if (iteration % evalEvery == 0 || iteration == total) {
                    curveIteration.add(iteration);
                    curveAccuracy.add(accuracy(net, curveSet));
                }
                long now = System.nanoTime();
                if ((now - lastPrint) / 1e9 >= progressSeconds || iteration == total) {
                    double seconds = (now - start) / 1e9;
                    log.printf(Locale.ROOT, "%-20s iteration %4d/%d  %6.1f examples/s  loss %.4f  NFE %d/%d  "
                                    + "curve accuracy %.1f%%  %.0f s%n", name, iteration, total,
                            (double) iteration * batch / seconds, net.score(), it.forward(), it.backward(),
                            curveAccuracy.isEmpty() ? 0.0 : 100 * curveAccuracy.get(curveAccuracy.size() - 1),
                            seconds);
                    lastPrint = now;
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        DataSetIterator test = new MnistDataSetIterator(500, testExamples, false, false, false, 0);
        Evaluation evaluation = net.evaluate(test);
        log.printf(Locale.ROOT, "%-20s test accuracy %.2f%% (%d images), %d parameters, trained in %.0f s%n", name,
                100 * evaluation.accuracy(), testExamples, net.numParams(), seconds);
        return new Run(variant, runSeed, evaluation.accuracy(), net.numParams(), odeParameters, forward,
                backward, curveIteration.stream().mapToInt(Integer::intValue).toArray(),
                curveAccuracy.stream().mapToDouble(Double::doubleValue).toArray(), seconds);
    }

    private static DataSet testImages(int n) throws IOException {
        return new MnistDataSetIterator(n, n, false, false, false, 0).next();
    }

    private static double accuracy(MultiLayerNetwork net, DataSet set) {
        Evaluation e = new Evaluation(10);
        e.eval(set.getLabels(), net.output(set.getFeatures(), false));
        return e.accuracy();
    }
}
