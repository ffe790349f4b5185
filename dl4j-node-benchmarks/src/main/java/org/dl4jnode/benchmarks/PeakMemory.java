package org.dl4jnode.benchmarks;

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

/**
 * The native memory one training iteration needs at its peak, measured in a fresh JVM so that one
 * measurement cannot reuse another's freed memory. Linux only.
 *
 * <p>The child pre-touches a fixed heap ({@code -Xms = -Xmx}, {@code AlwaysPreTouch}), so the Java
 * heap's resident size is constant, and every native allocation is its own mapping
 * ({@code MALLOC_MMAP_THRESHOLD_=0}), so freed memory leaves the resident set at once. In the child,
 * {@link #ofIteration} resets the kernel's peak-RSS mark ({@code /proc/self/clear_refs}) and runs
 * the iteration twice (a warm-up and the timed one) while a thread collects garbage every
 * {@value #GC_INTERVAL_MS} ms (ND4J frees native memory only when the owning Java objects are
 * collected) and samples the resident size. The figure is the peak (VmHWM) minus the lowest sample:
 * the native memory the iteration needed at its peak, garbage younger than the collection interval
 * included. The time includes those collections.
 */
public final class PeakMemory {

    private static final long GC_INTERVAL_MS = 100;
    private static final String RESULT = "RESULT ";

    private PeakMemory() {
    }

    /**
     * What one iteration took.
     *
     * @param peakMiB native memory at the peak, MiB
     * @param seconds wall time of the timed iteration
     */
    public record Measurement(double peakMiB, double seconds) {
    }

    /**
     * In this JVM (the child's side): runs {@code iteration} once to warm up and once timed, and
     * measures the peak. Call it after the model's first use (natives loaded, graphs built).
     */
    public static Measurement ofIteration(Runnable iteration) throws IOException, InterruptedException {
        System.gc();
        Thread.sleep(300);
        Files.writeString(Path.of("/proc/self/clear_refs"), "5"); // resets VmHWM to the current RSS
        Sampler sampler = new Sampler();
        sampler.start();
        iteration.run(); // warm-up: JIT and SameDiff's array caches reach their steady state
        long start = System.nanoTime();
        iteration.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        sampler.interrupt();
        sampler.join();
        long peak = status("VmHWM:");
        return new Measurement((peak - sampler.lowest) / 1024.0, seconds);
    }

    /** The child's answer to {@link #inFreshJvm}: one line of values. */
    public static void report(Object... values) {
        StringBuilder line = new StringBuilder(RESULT);
        for (Object v : values) {
            line.append(v).append(' ');
        }
        System.out.println(line.toString().trim());
    }

    /**
     * Runs {@code main} with {@code args} in a fresh JVM with a pre-touched heap of {@code heap}
     * (such as {@code 256m}) and returns the values it {@link #report reported}.
     *
     * @throws IllegalStateException with the child's output when it fails or reports nothing
     */
    public static String[] inFreshJvm(Class<?> main, List<String> args, String heap) throws IOException,
            InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xms" + heap, "-Xmx" + heap, "-XX:+AlwaysPreTouch",
                "-Djava.awt.headless=true", "-cp", classPath(main)));
        String platform = System.getProperty("org.bytedeco.javacpp.platform.extension");
        if (platform != null) {
            command.add("-Dorg.bytedeco.javacpp.platform.extension=" + platform);
        }
        command.add(main.getName());
        command.addAll(args);
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
                if (line.startsWith(RESULT)) {
                    result = line.substring(RESULT.length());
                }
            }
        }
        if (p.waitFor() != 0 || result == null) {
            throw new IllegalStateException("measuring " + String.join(" ", args) + " in a fresh JVM failed:\n"
                    + String.join("\n", output));
        }
        return result.trim().split(" ");
    }

    /**
     * Collects garbage every {@value #GC_INTERVAL_MS} ms and samples the resident size in between; the
     * lowest sample is the resident size with no training state alive.
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

    /** A /proc/self/status figure in KiB. */
    private static long status(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no " + key + " in /proc/self/status (measuring memory needs Linux)");
    }

    /** The classpath {@code main} runs with, also under {@code mvn exec:java} (an isolated class loader). */
    private static String classPath(Class<?> main) {
        ClassLoader loader = main.getClassLoader();
        if (loader instanceof URLClassLoader urls && urls.getURLs().length > 0) {
            List<String> entries = new ArrayList<>();
            for (URL url : urls.getURLs()) {
                try {
                    entries.add(new File(url.toURI()).getPath());
                } catch (URISyntaxException e) {
                    throw new IllegalStateException("classpath entry " + url + " is not a file", e);
                }
            }
            return String.join(File.pathSeparator, entries);
        }
        return System.getProperty("java.class.path");
    }
}
