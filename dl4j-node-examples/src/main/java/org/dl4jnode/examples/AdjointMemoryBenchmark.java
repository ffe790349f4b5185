package org.dl4jnode.examples;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Peak memory of one training iteration of an ODE layer with {@link GradientMode#BACKPROP} and
 * {@link GradientMode#ADJOINT}, at several step counts.
 *
 * <p>Each configuration runs in a fresh JVM so that one cannot reuse another's freed memory. The
 * child pre-touches a fixed heap ({@code -Xms = -Xmx}, {@code AlwaysPreTouch}), so the Java heap's
 * resident size is constant, and every native allocation is its own mapping
 * ({@code MALLOC_MMAP_THRESHOLD_=0}), so freed memory leaves the resident set at once. After one
 * inference pass it resets the kernel's peak-RSS mark ({@code /proc/self/clear_refs}) and runs two
 * training iterations (a warm-up and the timed one) while a thread collects garbage every
 * {@value #GC_INTERVAL_MS} ms (ND4J frees native memory only when the owning Java objects are
 * collected) and samples the resident size. The figure is the peak (VmHWM) minus the lowest sample:
 * the native memory training needed at its peak, garbage younger than the collection interval
 * included. The times include those collections. Linux only.
 */
@Command(name = "adjoint-memory", mixinStandardHelpOptions = true,
        description = "Peak memory of one training iteration, BACKPROP vs. ADJOINT, by number of RK4 steps.")
public final class AdjointMemoryBenchmark implements Callable<Integer> {

    private static final long GC_INTERVAL_MS = 100;

    @Option(names = "--steps", split = ",", defaultValue = "10,100,1000",
            description = "RK4 step counts (default ${DEFAULT-VALUE})")
    int[] steps;
    @Option(names = "--gradient", split = ",", defaultValue = "BACKPROP,ADJOINT",
            description = "gradient modes (default ${DEFAULT-VALUE})")
    GradientMode[] modes;
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
        System.out.printf("%-8s %-9s %14s %10s %12s%n", "steps", "gradient", "peak MiB", "seconds", "NFE fwd/bwd");
        for (int n : steps) {
            for (GradientMode mode : modes) {
                String[] r = child(mode, n);
                System.out.printf("%-8d %-9s %14.1f %10.2f %12s%n", n, mode, Double.parseDouble(r[0]),
                        Double.parseDouble(r[1]), r[2] + "/" + r[3]);
            }
        }
        return 0;
    }

    private static MultiLayerNetwork network(GradientMode mode, int steps, int width) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(7).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(new Adam(1e-3)).list()
                .layer(new OdeLayer.Builder().name("ode").field(VectorField.mlp(width)).solver(Solver.RK4).steps(steps)
                        .gradient(mode).build())
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
        System.gc();
        Thread.sleep(300);
        Files.writeString(Path.of("/proc/self/clear_refs"), "5"); // resets VmHWM to the current RSS
        Sampler sampler = new Sampler();
        sampler.start();
        net.fit(data); // warm-up: JIT and SameDiff's array caches reach their steady state
        long start = System.nanoTime();
        net.fit(data);
        double seconds = (System.nanoTime() - start) / 1e9;
        sampler.interrupt();
        sampler.join();
        long peak = status("VmHWM:");
        long before = sampler.lowest;
        org.dl4jnode.layers.OdeLayer ode = (org.dl4jnode.layers.OdeLayer) net.getLayer(0);
        System.out.printf("RESULT %.1f %.3f %d %d%n", (peak - before) / 1024.0, seconds, ode.lastForwardEvaluations(),
                ode.lastBackwardEvaluations());
    }

    /**
     * Collects garbage every {@value #GC_INTERVAL_MS} ms (ND4J frees an array's native memory only when
     * its Java object is collected) and samples the resident size in between; the lowest sample is
     * the resident size with no training state alive.
     */
    private static final class Sampler extends Thread {
        volatile long lowest = Long.MAX_VALUE;

        Sampler() {
            super("memory-sampler");
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                for (int tick = 0; !isInterrupted(); tick++) {
                    if (tick % 5 == 0) {
                        System.gc();
                    }
                    lowest = Math.min(lowest, status("VmRSS:"));
                    Thread.sleep(GC_INTERVAL_MS / 5);
                }
            } catch (InterruptedException e) {
                interrupt();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Labels 0, 1, ..., 9, 0, 1, ...: every class present, the same in every child. */
    private static int[] cyclicLabels(int n) {
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = i % 10;
        }
        return rows;
    }

    /** A /proc/self/status figure in KiB. */
    private static long status(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no " + key + " in /proc/self/status (this benchmark needs Linux)");
    }

    /** Runs one configuration in a fresh JVM; returns [peak MiB, seconds, forward NFE, backward NFE]. */
    private String[] child(GradientMode mode, int steps) throws IOException, InterruptedException,
            URISyntaxException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xms" + heap, "-Xmx" + heap, "-XX:+AlwaysPreTouch",
                "-cp", classPath(), AdjointMemoryBenchmark.class.getName(), "--measure", mode + ":" + steps,
                "--width", String.valueOf(width), "--batch", String.valueOf(batch)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // every native allocation its own mapping, unmapped when freed: the resident set follows the live
        // arrays instead of keeping freed memory for reuse
        builder.environment().put("MALLOC_MMAP_THRESHOLD_", "0");
        Process p = builder.start();
        List<String> output = new ArrayList<>();
        String result = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                output.add(line);
                if (line.startsWith("RESULT ")) {
                    result = line.substring("RESULT ".length());
                }
            }
        }
        if (p.waitFor() != 0 || result == null) {
            throw new IllegalStateException("measuring " + mode + " at " + steps + " steps failed:\n"
                    + String.join("\n", output));
        }
        return result.trim().split(" ");
    }

    /** The classpath this program runs with, also under {@code mvn exec:java} (an isolated class loader). */
    private static String classPath() throws URISyntaxException {
        ClassLoader loader = AdjointMemoryBenchmark.class.getClassLoader();
        if (loader instanceof URLClassLoader urls && urls.getURLs().length > 0) {
            List<String> entries = new ArrayList<>();
            for (URL url : urls.getURLs()) {
                entries.add(new File(url.toURI()).getPath());
            }
            return String.join(File.pathSeparator, entries);
        }
        return System.getProperty("java.class.path");
    }
}
