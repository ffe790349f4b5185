package org.dl4jnode.examples;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.io.IOException;
import java.util.Random;

/**
 * Trains an ODE classifier on generated data (nested 2-spheres: a disc inside an annulus), evaluates
 * it, saves it with {@link ModelSerializer}, restores it and checks that the restored model predicts
 * exactly the same.
 *
 * <p>Options: {@code --epochs N} (default 10), {@code --seed S} (default 42), {@code --out FILE}
 * (default {@code target/ode-demo.zip}).
 */
public final class SyntheticDemo {

    private SyntheticDemo() {
    }

    public static void main(String[] args) throws IOException {
        Options options = Options.parse(args);
        Result result = run(options.epochs, options.seed, options.out, true);
        if (result.maxRestoreDifference != 0.0) {
            System.err.println("restored model disagrees with the trained one by " + result.maxRestoreDifference);
            System.exit(1);
        }
    }

    /** The outcome of a run: test accuracy and the largest difference between trained and restored outputs. */
    public record Result(double accuracy, double maxRestoreDifference, long parameters) {
    }

    /** Trains, evaluates, saves and restores; prints progress when {@code verbose}. */
    public static Result run(int epochs, long seed, File out, boolean verbose) throws IOException {
        DataSet train = nestedSpheres(1000, seed);
        DataSet test = nestedSpheres(500, seed + 1);
        MultiLayerNetwork net = new MultiLayerNetwork(configuration(seed));
        net.init();
        if (verbose) {
            System.out.printf("ODE classifier on nested 2-spheres: %d parameters, %d training examples%n",
                    net.numParams(), train.numExamples());
        }
        ListDataSetIterator<DataSet> batches = new ListDataSetIterator<>(train.asList(), 50);
        org.dl4jnode.layers.OdeLayer ode = (org.dl4jnode.layers.OdeLayer) net.getLayer(1);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long start = System.nanoTime();
            net.fit(batches);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (verbose && (epoch == 1 || epoch % 5 == 0 || epoch == epochs)) {
                System.out.printf("epoch %3d/%d  loss %.4f  %6.0f examples/s  NFE forward %d backward %d%n", epoch,
                        epochs, net.score(train), train.numExamples() / seconds, ode.lastForwardEvaluations(),
                        ode.lastBackwardEvaluations());
            }
        }
        Evaluation eval = net.evaluate(new ListDataSetIterator<>(test.asList(), 100));
        if (verbose) {
            System.out.printf("test accuracy %.4f%n", eval.accuracy());
        }

        File parent = out.getAbsoluteFile().getParentFile();
        if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
            throw new IOException("cannot create directory " + parent);
        }
        ModelSerializer.writeModel(net, out, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(out, true);
        INDArray before = net.output(test.getFeatures());
        INDArray after = restored.output(test.getFeatures());
        double diff = before.sub(after).amaxNumber().doubleValue();
        if (verbose) {
            System.out.printf("saved to %s; restored model's largest output difference: %s%n", out, diff);
        }
        return new Result(eval.accuracy(), diff, net.numParams());
    }

    /** Dense lift 2 -> 6, an ODE block with an MLP field, softmax over the two classes. */
    public static MultiLayerConfiguration configuration(long seed) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(1e-2))
                .list()
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.IDENTITY).build())
                .layer(new OdeLayer.Builder().name("ode")
                        .field(VectorField.mlp(16))
                        .solver(Solver.RK4).steps(4)
                        .timeSpan(0.0, 1.0)
                        .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(2))
                .build();
    }

    /** Points in the disc r &lt; 0.5 (class 0) and the annulus 1 &lt; r &lt; 1.5 (class 1), half each. */
    public static DataSet nestedSpheres(int n, long seed) {
        Random random = new Random(seed);
        INDArray features = Nd4j.create(n, 2);
        INDArray labels = Nd4j.zeros(n, 2);
        for (int i = 0; i < n; i++) {
            int label = i % 2;
            double r = label == 0 ? 0.5 * Math.sqrt(random.nextDouble()) : 1.0 + 0.5 * random.nextDouble();
            double angle = 2 * Math.PI * random.nextDouble();
            features.putScalar(i, 0, r * Math.cos(angle));
            features.putScalar(i, 1, r * Math.sin(angle));
            labels.putScalar(i, label, 1.0);
        }
        DataSet data = new DataSet(features, labels);
        data.shuffle(seed);
        return data;
    }

    private record Options(int epochs, long seed, File out) {

        static Options parse(String[] args) {
            int epochs = 10;
            long seed = 42;
            File out = new File("target/ode-demo.zip");
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--epochs" -> epochs = positive("--epochs", value);
                    case "--seed" -> seed = Long.parseLong(require("--seed", value));
                    case "--out" -> out = new File(require("--out", value));
                    case "--help", "-h" -> {
                        System.out.println("usage: SyntheticDemo [--epochs N] [--seed S] [--out FILE]");
                        System.exit(0);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + "; usage: SyntheticDemo [--epochs N] [--seed S] [--out FILE]");
                }
                i++;
            }
            return new Options(epochs, seed, out);
        }

        private static String require(String option, String value) {
            if (value == null) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return value;
        }

        private static int positive(String option, String value) {
            int v = Integer.parseInt(require(option, value));
            if (v < 1) {
                throw new IllegalArgumentException(option + " must be >= 1, got " + v);
            }
            return v;
        }
    }
}
