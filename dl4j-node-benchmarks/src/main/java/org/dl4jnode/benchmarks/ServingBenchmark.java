package org.dl4jnode.benchmarks;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.mnist.InferenceServer;
import org.dl4jnode.mnist.MnistClassifier;
import org.dl4jnode.mnist.MnistModels;
import org.dl4jnode.mnist.RequestBatcher;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load on the MNIST inference server: starts {@code serve}'s server on 127.0.0.1, drives it with N
 * concurrent clients (each a thread sending one image per request and waiting for the answer) for a
 * fixed time, and prints requests/s and the p50/p95/p99 latency for each N, one image at a time
 * ({@code --max-batch 1}, as the server answered before batching) and batched. Both servers first
 * run unmeasured for {@code --warmup-seconds} under the most clients (the JIT), and every run starts
 * with that many unmeasured seconds. Traffic stays on this machine; the program stops by itself.
 * Clients and server share the machine's cores.
 */
@Command(name = "serving-benchmark", mixinStandardHelpOptions = true,
        description = "Throughput and latency of the MNIST inference server under N concurrent clients.")
public final class ServingBenchmark implements Callable<Integer> {

    @Option(names = "--model", description = "a model saved by train (default: an untrained model of --kind; the "
            + "cost of a fixed-step solve does not depend on the weights)")
    Path model;
    @Option(names = "--kind", defaultValue = "conv", description = "conv or mlp, when no --model (default ${DEFAULT-VALUE})")
    String kind;
    @Option(names = "--clients", split = ",", defaultValue = "1,8,64", description = "concurrent clients, one run each (default ${DEFAULT-VALUE})")
    int[] clients;
    @Option(names = "--seconds", defaultValue = "10", description = "measured seconds per run (default ${DEFAULT-VALUE})")
    double seconds;
    @Option(names = "--warmup-seconds", defaultValue = "3", description = "unmeasured seconds before each run (default ${DEFAULT-VALUE})")
    double warmupSeconds;
    @Option(names = "--max-batch", defaultValue = "32", description = "the batched server's minibatch limit, images (default ${DEFAULT-VALUE})")
    int maxBatch;
    @Option(names = "--max-wait-ms", defaultValue = "0", description = "the batched server's wait for a fuller minibatch, ms (default ${DEFAULT-VALUE})")
    double maxWaitMs;
    @Option(names = "--workers", defaultValue = "1", description = "model threads of the batched server (default ${DEFAULT-VALUE})")
    int workers;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ServingBenchmark()).execute(args));
    }

    /** One run's figures. */
    record Run(String mode, int clients, long requests, long rejected, double seconds, double[] latenciesMs,
               double imagesPerBatch) {
        double perSecond() {
            return requests / seconds;
        }

        double percentile(double p) {
            if (latenciesMs.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(p / 100 * latenciesMs.length) - 1;
            return latenciesMs[Math.max(0, Math.min(latenciesMs.length - 1, i))];
        }
    }

    @Override
    public Integer call() throws Exception {
        if (!(seconds > 0) || warmupSeconds < 0 || Arrays.stream(clients).anyMatch(c -> c < 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "need --seconds > 0, --warmup-seconds >= 0 "
                    + "and every --clients >= 1");
        }
        MnistClassifier classifier = classifier();
        RequestBatcher.Options batched;
        try {
            batched = new RequestBatcher.Options(maxBatch, Duration.ofNanos(Math.round(maxWaitMs * 1e6)),
                    RequestBatcher.Options.DEFAULT.queueCapacity(), workers);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        RequestBatcher.Options single = new RequestBatcher.Options(1, Duration.ZERO,
                RequestBatcher.Options.DEFAULT.queueCapacity(), 1);
        if (warmupSeconds > 0) {
            // the JVM's first minutes of a code path are slower (JIT): both servers get them before the table
            int most = Arrays.stream(clients).max().orElse(1);
            run(classifier, "warm-up", single, most, 0);
            run(classifier, "warm-up", batched, most, 0);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%-28s %7s %10s %8s %8s %8s %9s %8s%n", "server", "clients", "requests/s",
                "p50 ms", "p95 ms", "p99 ms", "img/batch", "rejected");
        List<Run> runs = new ArrayList<>();
        for (int n : clients) {
            for (Map.Entry<String, RequestBatcher.Options> mode : List.of(
                    Map.entry("one image at a time", single),
                    Map.entry(String.format(Locale.ROOT, "batched (%d, %s ms, %d worker%s)", maxBatch, maxWaitMs,
                            workers, workers == 1 ? "" : "s"), batched))) {
                Run r = run(classifier, mode.getKey(), mode.getValue(), n, seconds);
                runs.add(r);
                out.printf(Locale.ROOT, "%-28s %7d %10.1f %8.1f %8.1f %8.1f %9.1f %8d%n", r.mode(), r.clients(),
                        r.perSecond(), r.percentile(50), r.percentile(95), r.percentile(99), r.imagesPerBatch(),
                        r.rejected());
                out.flush();
            }
        }
        return runs.stream().allMatch(r -> r.requests() > 0) ? 0 : 1;
    }

    private MnistClassifier classifier() throws IOException {
        if (model != null) {
            return MnistClassifier.restore(model);
        }
        MnistModels.Kind k;
        try {
            k = MnistModels.Kind.valueOf(kind.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--kind must be conv or mlp, got " + kind);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(MnistModels.configuration(MnistModels.defaults(k), 1));
        net.init();
        return new MnistClassifier(net);
    }

    /** {@code n} clients for {@code --warmup-seconds} unmeasured, then {@code measured} seconds measured. */
    private Run run(MnistClassifier classifier, String mode, RequestBatcher.Options batching, int n, double measured)
            throws Exception {
        InferenceServer.Options options = InferenceServer.Options.DEFAULT.withBatching(batching);
        try (InferenceServer server = InferenceServer.start(classifier, new InetSocketAddress("127.0.0.1", 0),
                options)) {
            URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + "/predict");
            long start = System.nanoTime() + Math.round(warmupSeconds * 1e9);
            long end = start + Math.round(measured * 1e9);
            List<Client> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                all.add(new Client(uri, body(i), start, end));
            }
            all.forEach(Thread::start);
            long wait = start - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            RequestBatcher batcher = server.batcher();
            long batchesBefore = batcher.batches();
            long imagesBefore = batcher.images();
            for (Client c : all) {
                c.join();
            }
            long batches = batcher.batches() - batchesBefore;
            long images = batcher.images() - imagesBefore;
            double[] latencies = all.stream().flatMapToDouble(c -> c.latenciesMs.stream().mapToDouble(d -> d))
                    .sorted().toArray();
            long rejected = all.stream().mapToLong(c -> c.rejected.get()).sum();
            long failed = all.stream().mapToLong(c -> c.failed.get()).sum();
            if (failed > 0) {
                spec.commandLine().getOut().printf("  (%d requests failed: %s)%n", failed,
                        all.stream().map(c -> c.lastFailure).filter(f -> f != null).findFirst().orElse("?"));
            }
            return new Run(mode, n, latencies.length, rejected, measured, latencies,
                    batches == 0 ? 0 : (double) images / batches);
        }
    }

    /** A request body of one random image, a different one per client. */
    private static String body(int client) throws IOException {
        Random random = new Random(client);
        float[] pixels = new float[784];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat();
        }
        return new ObjectMapper().writeValueAsString(Map.of("pixels", pixels));
    }

    /** One client: sends, waits, sends again; records the latencies of answers within [start, end). */
    private static final class Client extends Thread {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        private final HttpRequest request;
        private final long start;
        private final long end;
        final List<Double> latenciesMs = new ArrayList<>();
        final AtomicLong rejected = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        volatile String lastFailure;

        Client(URI uri, String body, long start, long end) {
            this.request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60)).build();
            this.start = start;
            this.end = end;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                long sent = System.nanoTime();
                if (sent >= end) {
                    return;
                }
                try {
                    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                    long answered = System.nanoTime();
                    if (sent < start || answered >= end) {
                        continue;
                    }
                    if (r.statusCode() == 200) {
                        latenciesMs.add((answered - sent) / 1e6);
                    } else if (r.statusCode() == 503) {
                        rejected.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        lastFailure = r.statusCode() + " " + r.body();
                    }
                } catch (IOException e) {
                    failed.incrementAndGet();
                    lastFailure = e.toString();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
