package org.dl4jnode.benchmarks;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.layers.OdeLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * A long training run that watches memory: {@code --iterations} minibatches of one of
 * {@link ThroughputBenchmark}'s models (default {@code mlp-ode}) on fixed random minibatches (the
 * memory behaviour does not depend on the data), sampling the process's resident set (heap and
 * ND4J's native memory) and the heap in use every {@code --every} iterations. After the warm-up it
 * fits a line to the resident set and reports the growth per 1,000 iterations and in total, and
 * fails (exit 1) when the resident set grew by more than {@code --bound-mib} (or {@code --bound-percent}).
 * Run it with a fixed, pre-touched heap so that the heap's own growth does not show as a leak:
 * <pre>
 * MAVEN_OPTS="-Xms1g -Xmx1g -XX:+AlwaysPreTouch" OMP_NUM_THREADS=1 mvn -B -q -pl dl4j-node-benchmarks exec:java \
 *     -Dexec.mainClass=org.dl4jnode.benchmarks.SoakBenchmark
 * </pre>
 * or with the JVM's defaults, as a user runs it, for seed 002's setting (a conv field, DOPRI5, the adjoint):
 * <pre>
 * OMP_NUM_THREADS=1 mvn -B -q -pl dl4j-node-benchmarks exec:java -Dexec.mainClass=org.dl4jnode.benchmarks.SoakBenchmark \
 *     -Dexec.args="--model stock-dopri5 --iterations 1000 --warmup 50 --every 50 --bound-percent 5"
 * </pre>
 * Linux only (it reads /proc/self/status).
 */
@Command(name = "soak-benchmark", mixinStandardHelpOptions = true,
        description = "Train for many iterations and watch the resident set for growth.")
public final class SoakBenchmark implements Callable<Integer> {

    @Option(names = "--model", defaultValue = "mlp-ode", description = "a ThroughputBenchmark model (default ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--iterations", defaultValue = "20000", description = "training minibatches (default ${DEFAULT-VALUE})")
    int iterations;
    @Option(names = "--warmup", defaultValue = "2000", description = "iterations before the growth is measured (default ${DEFAULT-VALUE})")
    int warmup;
    @Option(names = "--every", defaultValue = "1000", description = "iterations between samples (default ${DEFAULT-VALUE})")
    int every;
    @Option(names = "--bound-mib", defaultValue = "32", description = "largest resident-set growth after the warm-up that passes, MiB (default ${DEFAULT-VALUE})")
    double boundMib;
    @Option(names = "--bound-percent", description = "largest growth after the warm-up that passes, percent of the "
            + "resident set at the warm-up's end (instead of --bound-mib)")
    Double boundPercent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SoakBenchmark()).execute(args));
    }

    /**
     * One sample, MiB: the resident set, the heap in use, and the heap the JVM has committed (the part of the
     * resident set that is the Java heap's, at most; the rest is native: ND4J's arrays, libraries, threads).
     */
    record Sample(int iteration, double rssMib, double heapMib, double heapCommittedMib) {
    }

    @Override
    public Integer call() throws IOException {
        if (iterations < 1 || warmup < 0 || warmup >= iterations || every < 1 || !(boundMib > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "need --iterations >= 1, 0 <= --warmup < "
                    + "--iterations, --every >= 1 and --bound-mib > 0");
        }
        ThroughputBenchmark.Model m;
        try {
            m = ThroughputBenchmark.model(model);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        MultiLayerNetwork net = new MultiLayerNetwork(m.configuration());
        net.init();
        long[] shape = {m.batch(), 784}; // every benchmark model reads flat MNIST images
        Nd4j.getRandom().setSeed(1);
        List<DataSet> batches = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            batches.add(new DataSet(Nd4j.rand(DataType.FLOAT, shape),
                    Nd4j.eye(10).castTo(DataType.FLOAT).getRows(labels(m.batch(), i))));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s, minibatch %d, %d iterations, heap max %.0f MiB%n", model, m.batch(), iterations,
                Runtime.getRuntime().maxMemory() / 1048576.0);
        out.printf("%10s %10s %10s %12s %12s %10s%n", "iteration", "RSS MiB", "heap MiB", "committed", "examples/s",
                "NFE f/b");
        out.flush();
        List<Sample> samples = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 1; i <= iterations; i++) {
            net.fit(batches.get(i % batches.size()));
            if (i % every == 0 || i == iterations) {
                double seconds = (System.nanoTime() - start) / 1e9;
                Sample s = new Sample(i, rssKib() / 1024.0, heapUsed() / 1048576.0, heapCommitted() / 1048576.0);
                samples.add(s);
                out.printf(Locale.ROOT, "%10d %10.1f %10.1f %12.1f %12.0f %10s%n", i, s.rssMib(), s.heapMib(),
                        s.heapCommittedMib(), (double) every * m.batch() / seconds, evaluations(net));
                out.flush();
                start = System.nanoTime();
            }
        }
        List<Sample> measured = samples.stream().filter(s -> s.iteration() >= warmup).toList();
        if (measured.size() < 2) {
            out.println("too few samples after the warm-up to measure growth; lower --every or --warmup");
            return 1;
        }
        double slope = slope(measured);
        Sample first = measured.get(0);
        Sample last = measured.get(measured.size() - 1);
        double growth = last.rssMib() - first.rssMib();
        double max = measured.stream().mapToDouble(Sample::rssMib).max().orElseThrow();
        double bound = boundPercent != null ? first.rssMib() * boundPercent / 100 : boundMib;
        out.printf(Locale.ROOT, "after the warm-up (iterations %d-%d): RSS %.1f -> %.1f MiB (max %.1f, peak of the "
                        + "whole run %.1f), growth %.1f MiB (%.1f%%), trend %.2f MiB per 1,000 iterations; heap committed "
                        + "%.1f -> %.1f MiB; bound %.1f MiB: %s%n", first.iteration(), last.iteration(), first.rssMib(),
                last.rssMib(), max, rssPeakKib() / 1024.0, growth, 100 * growth / first.rssMib(), 1000 * slope,
                first.heapCommittedMib(), last.heapCommittedMib(), bound, growth <= bound ? "passed" : "FAILED");
        return growth <= bound ? 0 : 1;
    }

    /** The least-squares slope of the resident set over iterations, MiB per iteration. */
    static double slope(List<Sample> samples) {
        double n = samples.size();
        double mx = samples.stream().mapToDouble(Sample::iteration).average().orElseThrow();
        double my = samples.stream().mapToDouble(Sample::rssMib).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        for (Sample s : samples) {
            sxy += (s.iteration() - mx) * (s.rssMib() - my);
            sxx += (s.iteration() - mx) * (s.iteration() - mx);
        }
        return n < 2 || sxx == 0 ? 0 : sxy / sxx;
    }

    /** The last minibatch's field evaluations, forward/backward, summed over the ODE layers ("-" without one). */
    private static String evaluations(MultiLayerNetwork net) {
        long forward = 0;
        long backward = 0;
        boolean any = false;
        for (Layer layer : net.getLayers()) {
            if (layer instanceof OdeLayer ode) {
                forward += ode.lastForwardEvaluations();
                backward += ode.lastBackwardEvaluations();
                any = true;
            }
        }
        return any ? forward + "/" + backward : "-";
    }

    private static int[] labels(int n, int offset) {
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = (i + offset) % 10;
        }
        return rows;
    }

    private static long heapCommitted() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The resident set, KiB. */
    private static long rssKib() throws IOException {
        return status("VmRSS:");
    }

    /** The resident set's peak, KiB. */
    private static long rssPeakKib() throws IOException {
        return status("VmHWM:");
    }

    private static long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no " + field + " in /proc/self/status (the soak benchmark needs Linux)");
    }
}
