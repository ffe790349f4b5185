package org.dl4jnode.mnist;

import org.deeplearning4j.datasets.iterator.impl.MnistDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The MNIST ODE classifier's command line: {@code fetch}, {@code train}, {@code evaluate},
 * {@code predict} and {@code serve}.
 *
 * <pre>
 * mvn -B -q -pl dl4j-node-mnist exec:java -Dexec.args="train"
 * </pre>
 */
@Command(name = "mnist-ode", mixinStandardHelpOptions = true,
        description = "Train, evaluate and serve an MNIST classifier with a Galerkin neural ODE layer.",
        subcommands = {MnistOde.Fetch.class, MnistOde.Train.class, MnistOde.Evaluate.class, MnistOde.Predict.class,
                MnistOde.Serve.class})
public final class MnistOde implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, with failures (no data, no model, bad image) reported as one message, not a stack trace. */
    public static CommandLine commandLine() {
        return new CommandLine(new MnistOde()).setExecutionExceptionHandler(new OneLineFailures());
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: fetch, train, evaluate, predict "
                + "or serve");
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Install the original MNIST files where DL4J reads them (train and evaluate do it too).")
    static final class Fetch implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println("MNIST is installed in " + MnistFiles.ensureInstalled());
            return 0;
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train a model on MNIST, evaluate it on the test set and save it with ModelSerializer.")
    static final class Train implements Callable<Integer> {
        @CommandLine.Mixin
        TrainingOptions training;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            MnistModels.Options options = training.modelOptions(spec.commandLine());
            int epochs = training.epochs(options.kind());
            Result r = train(options, epochs, training.batch(), training.trainExamples(), training.testExamples(),
                    training.progressSeconds(), training.output(), System.out);
            System.out.printf(Locale.ROOT, "%ntest accuracy %.2f%% on %d images, trained in %s (%d epochs of %d images, "
                            + "%.0f examples/s), NFE per minibatch %d forward / %d backward; model saved to %s%n",
                    100 * r.accuracy(), training.testExamples(), TrainingProgress.format(r.trainingTime()), epochs,
                    training.trainExamples(), r.examplesPerSecond(), r.forwardNfe(), r.backwardNfe(),
                    training.output());
            return 0;
        }
    }

    /**
     * What a training run measured.
     *
     * @param accuracy          test accuracy in [0, 1]
     * @param trainingTime      wall time of {@code fit}, all epochs
     * @param examplesPerSecond training throughput
     * @param forwardNfe        field evaluations of the last minibatch's forward solve
     * @param backwardNfe       vector-Jacobian products of its backward pass
     * @param evaluation        the test-set evaluation
     */
    public record Result(double accuracy, Duration trainingTime, double examplesPerSecond, long forwardNfe,
                         long backwardNfe, Evaluation evaluation) {
    }

    /**
     * Trains a model, prints progress and the test-set evaluation to {@code out}, and saves the model.
     */
    public static Result train(MnistModels.Options options, int epochs, int batch, int trainExamples, int testExamples,
                               double progressSeconds, Path output, PrintStream out) throws IOException {
        MnistFiles.ensureInstalled();
        DataSetIterator train = new MnistDataSetIterator(batch, trainExamples, false, true, true, options.seed());
        train.setPreProcessor(new RandomShifts(options.shift(), options.seed()));
        int perEpoch = (trainExamples + batch - 1) / batch;
        MultiLayerNetwork net = new MultiLayerNetwork(MnistModels.configuration(options, perEpoch));
        net.init();
        out.printf(Locale.ROOT, "model %s: %d parameters, %s%n", options.kind().toString().toLowerCase(Locale.ROOT),
                net.numParams(), net.getLayer("ode").conf().getLayer());
        TrainingProgress progress = new TrainingProgress(out, (long) perEpoch * epochs, epochs, batch, progressSeconds);
        net.setListeners(progress);
        long start = System.nanoTime();
        net.fit(train, epochs);
        Duration time = Duration.ofNanos(System.nanoTime() - start);
        ModelSerializer.writeModel(net, output.toFile(), true);
        Evaluation evaluation = evaluate(net, testExamples, out);
        return new Result(evaluation.accuracy(), time, (double) trainExamples * epochs / (time.toNanos() / 1e9),
                progress.lastForwardEvaluations(), progress.lastBackwardEvaluations(), evaluation);
    }

    /**
     * Evaluates on the first {@code testExamples} test images (installed with
     * {@link MnistFiles#ensureInstalled()}) and prints accuracy and per-class figures.
     */
    public static Evaluation evaluate(MultiLayerNetwork net, int testExamples, PrintStream out) throws IOException {
        DataSetIterator test = new MnistDataSetIterator(500, testExamples, false, false, false, 0);
        Evaluation evaluation = net.evaluate(test);
        out.printf(Locale.ROOT, "%ntest set: accuracy %.2f%%, precision %.4f, recall %.4f, F1 %.4f (%d images)%n",
                100 * evaluation.accuracy(), evaluation.precision(), evaluation.recall(), evaluation.f1(), testExamples);
        out.println("class  precision  recall      F1  images");
        for (int c = 0; c < 10; c++) {
            int count = evaluation.getConfusionMatrix().getActualTotal(c);
            out.printf(Locale.ROOT, "%5d  %9.4f  %6.4f  %6.4f  %6d%n", c, evaluation.precision(c), evaluation.recall(c),
                    evaluation.f1(c), count);
        }
        return evaluation;
    }

    @Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Restore a model and print its test-set metrics.")
    static final class Evaluate implements Callable<Integer> {
        @Parameters(index = "0", description = "a model saved by train")
        Path model;
        @Option(names = "--test-examples", defaultValue = "10000", description = "the first N test images (default ${DEFAULT-VALUE})")
        int testExamples;

        @Override
        public Integer call() throws IOException {
            MultiLayerNetwork net = MnistClassifier.restore(model).network();
            MnistFiles.ensureInstalled();
            evaluate(net, testExamples, System.out);
            return 0;
        }
    }

    @Command(name = "predict", mixinStandardHelpOptions = true,
            description = "Restore a model and print the class and probabilities of 28x28 images (PNG, or IDX files).")
    static final class Predict implements Callable<Integer> {
        @Parameters(index = "0", description = "a model saved by train")
        Path model;
        @Parameters(index = "1..*", arity = "1..*", description = "28x28 grey images: PNG (white digit on black) or IDX3 files")
        List<Path> images;
        @Option(names = "--limit", defaultValue = "10", description = "images read from each IDX file (default ${DEFAULT-VALUE})")
        int limit;

        @Override
        public Integer call() throws IOException {
            MnistClassifier classifier = MnistClassifier.restore(model);
            List<MnistImages.Image> all = new ArrayList<>();
            for (Path p : images) {
                all.addAll(MnistImages.read(p, limit));
            }
            float[][] probabilities = classifier.probabilities(all.stream().map(MnistImages.Image::pixels).toList());
            for (int i = 0; i < all.size(); i++) {
                StringBuilder line = new StringBuilder();
                for (float p : probabilities[i]) {
                    line.append(String.format(Locale.ROOT, " %.4f", p));
                }
                System.out.printf("%s: class %d, probabilities%s%n", all.get(i).source(),
                        MnistClassifier.argMax(probabilities[i]), line);
            }
            return 0;
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Serve a model over HTTP, batching concurrent requests: POST /predict {\"pixels\": [784 "
                    + "values in [0, 1]]} or {\"images\": [[784 values], ...]}, GET /health. SIGTERM or Ctrl-C "
                    + "stops it after answering the requests in flight.")
    static final class Serve implements Callable<Integer> {
        @Parameters(index = "0", description = "a model saved by train")
        Path model;
        @Option(names = "--port", defaultValue = "8080", description = "port (default ${DEFAULT-VALUE}; 0: any free port)")
        int port;
        @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default ${DEFAULT-VALUE}, this machine only)")
        String host;
        @Option(names = "--max-batch", defaultValue = "32", description = "images in one minibatch at most (default ${DEFAULT-VALUE}; 1: no batching)")
        int maxBatch;
        @Option(names = "--max-wait-ms", defaultValue = "0", description = "how long a request may wait for its minibatch to fill, ms (default ${DEFAULT-VALUE})")
        double maxWaitMs;
        @Option(names = "--queue", defaultValue = "1024", description = "images waiting at most; beyond it requests get 503 (default ${DEFAULT-VALUE})")
        int queue;
        @Option(names = "--workers", defaultValue = "1", description = "threads running the model, each with its own copy (default ${DEFAULT-VALUE})")
        int workers;
        @Option(names = "--read-timeout", defaultValue = "10", description = "seconds a client may take to send its request before it is disconnected (default ${DEFAULT-VALUE})")
        long readTimeout;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException, InterruptedException {
            InferenceServer.Options options;
            try {
                if (readTimeout < 1) {
                    throw new IllegalArgumentException("--read-timeout must be >= 1 second, got " + readTimeout);
                }
                options = InferenceServer.Options.DEFAULT.withBatching(new RequestBatcher.Options(maxBatch,
                        Duration.ofNanos(Math.round(maxWaitMs * 1e6)), queue, workers));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            // the JDK server reads its request time limit once, when the first server starts
            System.setProperty(InferenceServer.READ_TIMEOUT_PROPERTY, Long.toString(readTimeout));
            MnistClassifier classifier = MnistClassifier.restore(model);
            InferenceServer server = InferenceServer.start(classifier, new InetSocketAddress(host, port), options);
            // the JVM exits once its shutdown hooks return: this one returns when the server has drained
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                System.out.printf(Locale.ROOT, "stopped: %d minibatches, %.1f images per minibatch%n",
                        server.batcher().batches(), server.batcher().meanBatchSize());
            }, "serve-shutdown"));
            InetSocketAddress a = server.address();
            System.out.printf(Locale.ROOT, "serving %s on http://%s:%d (POST /predict, GET /health); minibatches of "
                            + "up to %d images, waiting up to %s ms; SIGTERM or Ctrl-C stops%n", model,
                    a.getHostString(), a.getPort(), maxBatch, maxWaitMs);
            server.awaitClosed();
            return 0;
        }
    }
}
