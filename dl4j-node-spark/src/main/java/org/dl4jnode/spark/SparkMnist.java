package org.dl4jnode.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.datasets.iterator.impl.MnistDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.time.SystemClockTimeSource;
import org.deeplearning4j.spark.time.TimeSourceProvider;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jnode.mnist.MnistFiles;
import org.dl4jnode.mnist.MnistModels;
import org.dl4jnode.mnist.MnistOde;
import org.dl4jnode.mnist.OneLineFailures;
import org.dl4jnode.mnist.RandomShifts;
import org.dl4jnode.mnist.TrainingOptions;
import org.dl4jnode.mnist.TrainingProgress;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * The MNIST ODE classifier trained on Apache Spark by dl4j-spark's parameter averaging: the same model,
 * options, progress lines, test-set evaluation and saved model as {@code mnist-ode train}.
 *
 * <pre>
 * spark-mnist train --spark local[2]                              # in this JVM, two workers
 * spark-submit --master spark://host:7077 ... dl4j-node-spark-*-shaded.jar train   # on a cluster
 * </pre>
 *
 * <p>The driver reads MNIST, cuts it into minibatches and hands them to Spark; each worker fits its share
 * and the parameters and Adam's moments are averaged every {@code --averaging-frequency} minibatches. The
 * driver prints progress after each slice of an epoch (loss: the workers' mean; the ODE layers' NFE stay on
 * the workers), then evaluates on the test set itself and saves the model with ModelSerializer.
 */
@Command(name = "spark-mnist", mixinStandardHelpOptions = true,
        description = "Train the MNIST ODE classifier on Spark (dl4j-spark parameter averaging).",
        subcommands = SparkMnist.Train.class)
public final class SparkMnist implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, with failures (no master, no data) reported as one line, not a stack trace. */
    public static CommandLine commandLine() {
        return new CommandLine(new SparkMnist()).setExecutionExceptionHandler(new OneLineFailures());
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: train");
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train on Spark, evaluate on the test set and save the model with ModelSerializer.")
    static final class Train implements Callable<Integer> {
        @Option(names = "--spark", description = "the Spark master: local[n], local[*], spark://host:port, yarn, "
                + "k8s://...; omit it under spark-submit, which gives its --master")
        String master;
        @Option(names = "--workers", description = "minibatches fitted in parallel (default: n of local[n], else "
                + "Spark's default parallelism)")
        Integer workers;
        @Option(names = "--averaging-frequency", defaultValue = "5",
                description = "minibatches each worker fits between averagings (default ${DEFAULT-VALUE})")
        int averagingFrequency;
        @Option(names = "--jar", description = "the application jar for a cluster master when not run by "
                + "spark-submit (the shaded jar the build makes)")
        Path jar;
        @Option(names = "--training-stats", description = "print dl4j-spark's timing of each phase (broadcast, "
                + "fit, aggregation, ...) after training")
        boolean trainingStats;
        @CommandLine.Mixin
        TrainingOptions training;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            MnistModels.Options options = training.modelOptions(spec.commandLine());
            if (averagingFrequency < 1 || (workers != null && workers < 1)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "need --averaging-frequency >= 1 and "
                        + "--workers >= 1, got " + averagingFrequency + " and " + workers);
            }
            SparkConf conf = new SparkConf().setAppName("dl4j-node spark-mnist");
            SparkMaster where;
            try {
                where = SparkMaster.resolve(master, conf);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            conf.setMaster(where.url());
            if (jar != null) {
                if (!Files.isRegularFile(jar)) {
                    throw new IllegalStateException("the application jar " + jar + " does not exist; build it with: "
                            + "mvn -B -q package -DskipTests -pl dl4j-node-spark -am -Pshaded");
                }
                conf.setJars(new String[] {jar.toAbsolutePath().toString()});
            } else if (!where.isLocal() && !conf.contains("spark.jars")) {
                throw new IllegalStateException("master " + where.url() + " runs the workers elsewhere: submit the "
                        + "shaded jar with spark-submit, or give it with --jar");
            }
            where.checkReachable();
            MnistFiles.ensureInstalled();
            JavaSparkContext sc = new JavaSparkContext(conf);
            try {
                int parallel = workers != null ? workers : where.localThreads().orElse(sc.defaultParallelism());
                train(sc, options, parallel, System.out);
            } finally {
                sc.stop();
            }
            return 0;
        }

        private void train(JavaSparkContext sc, MnistModels.Options options, int parallel, PrintStream out)
                throws IOException {
            if (trainingStats && System.getProperty(TimeSourceProvider.TIMESOURCE_CLASSNAME_PROPERTY) == null) {
                // dl4j-spark's default clock asks an internet NTP server (ten tries, then fails); one machine's
                // clock suffices here. On a cluster, give executors the same property for comparable times.
                System.setProperty(TimeSourceProvider.TIMESOURCE_CLASSNAME_PROPERTY,
                        SystemClockTimeSource.class.getName());
            }
            int epochs = training.epochs(options.kind());
            int batch = training.batch();
            List<DataSet> minibatches = new ArrayList<>();
            DataSetIterator data = new MnistDataSetIterator(batch, training.trainExamples(), false, true, true,
                    options.seed());
            while (data.hasNext()) {
                minibatches.add(data.next());
            }
            MultiLayerNetwork net = new MultiLayerNetwork(MnistModels.configuration(options, minibatches.size()));
            net.init();
            out.printf(Locale.ROOT, "model %s: %d parameters, %s%n", options.kind().toString().toLowerCase(Locale.ROOT),
                    net.numParams(), net.getLayer("ode").conf().getLayer());
            out.printf(Locale.ROOT, "Spark %s: %d workers, averaging every %d minibatches of %d%n", sc.master(),
                    parallel, averagingFrequency, batch);
            SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc, net,
                    new ParameterAveragingTrainingMaster.Builder(parallel, batch).batchSizePerWorker(batch)
                            .averagingFrequency(averagingFrequency)
                            // Adam's moments travel with the parameters, as in single-machine training
                            .saveUpdater(true)
                            // the minibatches come from the driver's memory: exporting them to a shared file
                            // system first (dl4j-spark's default) would need one (HDFS) for nothing
                            .rddTrainingApproach(RDDTrainingApproach.Direct)
                            .workerPrefetchNumBatches(2)
                            .collectTrainingStats(trainingStats)
                            .build());
            TrainingProgress progress = new TrainingProgress(out, (long) minibatches.size() * epochs, epochs, batch,
                    training.progressSeconds());
            // a slice is a few averaging rounds: the driver reports between slices
            int slice = parallel * averagingFrequency * 4;
            long start = System.nanoTime();
            progress.start();
            RandomShifts shifts = new RandomShifts(options.shift(), options.seed());
            for (int epoch = 0; epoch < epochs; epoch++) {
                // a new order of the minibatches per epoch, as the single-machine iterator reshuffles its images
                Collections.shuffle(minibatches, new Random(options.seed() + epoch));
                for (int from = 0; from < minibatches.size(); from += slice) {
                    List<DataSet> part = new ArrayList<>();
                    for (DataSet d : minibatches.subList(from, Math.min(minibatches.size(), from + slice))) {
                        // new shifts of the original images each epoch, as the single-machine iterator makes;
                        // the shifts replace the features with a new array, so the originals need no copy
                        DataSet shifted = new DataSet(d.getFeatures(), d.getLabels());
                        shifts.preProcess(shifted);
                        part.add(shifted);
                    }
                    spark.fit(sc.parallelize(part, Math.min(parallel, part.size())));
                    progress.advance(part.size(), epoch, spark.getScore(), "");
                }
            }
            Duration time = Duration.ofNanos(System.nanoTime() - start);
            if (trainingStats) {
                out.println();
                out.println(spark.getSparkTrainingStats().statsAsString());
            }
            ModelSerializer.writeModel(spark.getNetwork(), training.output().toFile(), true);
            Evaluation evaluation = MnistOde.evaluate(spark.getNetwork(), training.testExamples(), out);
            out.printf(Locale.ROOT, "%ntest accuracy %.2f%% on %d images, trained on Spark in %s (%d epochs of %d "
                            + "images, %.0f examples/s, %d workers); model saved to %s%n", 100 * evaluation.accuracy(),
                    training.testExamples(), TrainingProgress.format(time), epochs, training.trainExamples(),
                    (double) training.trainExamples() * epochs / (time.toNanos() / 1e9), parallel, training.output());
        }
    }
}
