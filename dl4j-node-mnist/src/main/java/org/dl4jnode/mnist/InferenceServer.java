package org.dl4jnode.mnist;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.DeserializationFeature;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP inference endpoint on the JDK's built-in server, batching concurrent requests into
 * minibatches ({@link RequestBatcher}).
 *
 * <ul>
 *   <li>{@code POST /predict} with {@code {"pixels": [...]}}: one image, 784 grey values in [0, 1]
 *       (row-major, white ink on black as in MNIST), flat or as 28 rows of 28. Answers
 *       {@code {"class": 7, "probabilities": [10 values]}}.</li>
 *   <li>{@code POST /predict} with {@code {"images": [[...], ...]}}: several images, each as above.
 *       Answers {@code {"predictions": [{"class": ..., "probabilities": [...]}, ...]}} in their order.</li>
 *   <li>{@code GET /health}: {@code {"status": "ok"}}.</li>
 * </ul>
 * A bad request gets 400 (404 for another path, 405 for another method, 413 for a body over 1 MiB or
 * more images than the queue holds) with {@code {"error": "..."}} saying what is wrong; a full queue
 * gets 503 with the reason, never an unbounded backlog. A client that takes longer than the read
 * timeout to send its request is disconnected (the JDK server's {@code sun.net.httpserver.maxReqTime},
 * in seconds, read once per JVM: {@link #READ_TIMEOUT_PROPERTY}; 10 s unless set). {@link #close()}
 * stops taking requests and finishes those in flight.
 */
public final class InferenceServer implements AutoCloseable {

    /** The JDK server's limit on reading one request, in seconds, fixed when its first server starts. */
    public static final String READ_TIMEOUT_PROPERTY = "sun.net.httpserver.maxReqTime";
    /** The read timeout when {@link #READ_TIMEOUT_PROPERTY} is not set. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);
    private static final String NO_DELAY_PROPERTY = "sun.net.httpserver.nodelay";
    private static final int MAX_BODY = 1 << 20;
    /** How much of an oversized body is read and dropped before the 413, so that the client sees it. */
    private static final long MAX_DRAIN = 16L << 20;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * The server's settings.
     *
     * @param batching       how requests are batched ({@link RequestBatcher.Options#DEFAULT})
     * @param handlerThreads threads reading and parsing requests and writing answers (default 8); the
     *                       model runs on the batcher's workers
     * @param drainTimeout   how long {@link #close()} waits for requests in flight (default 30 s)
     */
    public record Options(RequestBatcher.Options batching, int handlerThreads, Duration drainTimeout) {

        public static final Options DEFAULT = new Options(RequestBatcher.Options.DEFAULT, 8, Duration.ofSeconds(30));

        public Options {
            if (batching == null) {
                throw new IllegalArgumentException("batching options are required");
            }
            if (handlerThreads < 1) {
                throw new IllegalArgumentException("handlerThreads must be >= 1, got " + handlerThreads);
            }
            if (drainTimeout == null || drainTimeout.isNegative()) {
                throw new IllegalArgumentException("drainTimeout must be >= 0, got " + drainTimeout);
            }
        }

        public Options withBatching(RequestBatcher.Options batching) {
            return new Options(batching, handlerThreads, drainTimeout);
        }
    }

    private final HttpServer server;
    private final ExecutorService handlers;
    private final RequestBatcher batcher;
    private final Options options;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean closing;

    private InferenceServer(HttpServer server, ExecutorService handlers, RequestBatcher batcher, Options options) {
        this.server = server;
        this.handlers = handlers;
        this.batcher = batcher;
        this.options = options;
    }

    /** Starts serving on {@code address} (port 0: any free port) with the default options. */
    public static InferenceServer start(MnistClassifier classifier, InetSocketAddress address) throws IOException {
        return start(classifier, address, Options.DEFAULT);
    }

    /** Starts serving on {@code address} (port 0: any free port). */
    public static InferenceServer start(MnistClassifier classifier, InetSocketAddress address, Options options)
            throws IOException {
        if (System.getProperty(READ_TIMEOUT_PROPERTY) == null) {
            System.setProperty(READ_TIMEOUT_PROPERTY, Long.toString(DEFAULT_READ_TIMEOUT.toSeconds()));
        }
        // without TCP_NODELAY an answer's headers and body leave in two segments, and the second waits
        // for the client's delayed acknowledgement of the first: about 40 ms per request
        if (System.getProperty(NO_DELAY_PROPERTY) == null) {
            System.setProperty(NO_DELAY_PROPERTY, "true");
        }
        HttpServer http = HttpServer.create(address, 0);
        ExecutorService handlers = Executors.newFixedThreadPool(options.handlerThreads());
        InferenceServer s = new InferenceServer(http, handlers, new RequestBatcher(classifier, options.batching()),
                options);
        http.createContext("/", s::handle);
        http.setExecutor(handlers);
        http.start();
        return s;
    }

    /** The address it listens on (with the actual port). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The batcher, for its figures (minibatches run, mean size). */
    public RequestBatcher batcher() {
        return batcher;
    }

    /** The read timeout in force: the JDK server's, in whole seconds. */
    public static Duration readTimeout() {
        return Duration.ofSeconds(Long.getLong(READ_TIMEOUT_PROPERTY, DEFAULT_READ_TIMEOUT.toSeconds()));
    }

    /**
     * Stops taking requests (new ones get 503), runs those accepted, waits up to the drain timeout for
     * their answers to be sent, then stops the server. Safe to call more than once.
     */
    @Override
    public synchronized void close() {
        if (closed.getCount() == 0) {
            return;
        }
        closing = true;
        long deadline = System.nanoTime() + options.drainTimeout().toNanos();
        // runs every accepted request at once, without waiting for fuller minibatches
        batcher.close();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        server.stop(0);
        handlers.shutdown();
        try {
            handlers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed.countDown();
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    private void handle(HttpExchange exchange) {
        inFlight.incrementAndGet();
        boolean answered = true;
        try {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (closing) {
                error(exchange, 503, "server shutting down");
                return;
            }
            switch (path) {
                case "/health" -> {
                    if (!method.equals("GET")) {
                        error(exchange, 405, "use GET /health");
                    } else {
                        send(exchange, 200, JSON.createObjectNode().put("status", "ok"));
                    }
                }
                case "/predict" -> {
                    if (!method.equals("POST")) {
                        error(exchange, 405, "use POST /predict with a JSON body {\"pixels\": [784 values in [0, 1]]} "
                                + "or {\"images\": [[784 values], ...]}");
                    } else {
                        answered = predict(exchange);
                    }
                }
                default -> error(exchange, 404, "no such endpoint " + path + "; use POST /predict or GET /health");
            }
        } catch (IOException | RuntimeException e) {
            // the client went away, or the request failed: neither takes the server down
            exchange.close();
        } finally {
            if (answered) {
                inFlight.decrementAndGet();
            }
        }
    }

    /** Reads, checks and queues a prediction request; false when its answer will be sent later. */
    private boolean predict(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                // read on (up to a bound) before answering: a client still sending when the connection
                // closes gets a reset instead of the 413
                long drained = 0;
                byte[] sink = new byte[1 << 16];
                for (int n; drained < MAX_DRAIN && (n = in.read(sink)) > 0; ) {
                    drained += n;
                }
            }
        }
        if (body.length > MAX_BODY) {
            error(exchange, 413, "request body over " + MAX_BODY + " bytes");
            return true;
        }
        Request request;
        try {
            request = request(JSON.readTree(body));
        } catch (JsonProcessingException e) {
            error(exchange, 400, "malformed JSON: " + e.getOriginalMessage());
            return true;
        } catch (IllegalArgumentException e) {
            error(exchange, 400, e.getMessage());
            return true;
        }
        int capacity = options.batching().queueCapacity();
        if (request.images().size() > capacity) {
            error(exchange, 413, request.images().size() + " images in one request; the server queues at most "
                    + capacity);
            return true;
        }
        CompletableFuture<float[][]> answer;
        try {
            answer = batcher.submit(request.images());
        } catch (RequestBatcher.Overloaded e) {
            exchange.getResponseHeaders().set("Retry-After", "1");
            error(exchange, 503, e.getMessage());
            return true;
        }
        answer.whenCompleteAsync((rows, failure) -> {
            try {
                if (failure != null) {
                    error(exchange, 500, "prediction failed: " + failure.getMessage());
                } else {
                    send(exchange, 200, request.batch() ? predictions(rows) : prediction(rows[0]));
                }
            } catch (IOException | RuntimeException e) {
                exchange.close();
            } finally {
                inFlight.decrementAndGet();
            }
        }, handlers);
        return false;
    }

    /** The images of a request, and whether it came as a batch ({@code "images"}). */
    record Request(List<float[]> images, boolean batch) {
    }

    /** A request's images, or an IllegalArgumentException saying what is wrong with it. */
    static Request request(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("expected a JSON object {\"pixels\": [784 values in [0, 1]]} or "
                    + "{\"images\": [[784 values], ...]}");
        }
        JsonNode images = body.get("images");
        if (images != null) {
            if (body.has("pixels")) {
                throw new IllegalArgumentException("give either \"pixels\" (one image) or \"images\" (several), "
                        + "not both");
            }
            if (!images.isArray() || images.isEmpty()) {
                throw new IllegalArgumentException("\"images\" must be a non-empty array of images, each 784 values "
                        + "in [0, 1], flat or 28 rows of 28");
            }
            List<float[]> all = new ArrayList<>(images.size());
            for (int i = 0; i < images.size(); i++) {
                all.add(pixels(images.get(i), "image " + i));
            }
            return new Request(all, true);
        }
        JsonNode pixels = body.get("pixels");
        if (pixels == null) {
            throw new IllegalArgumentException("missing array \"pixels\" (784 values in [0, 1], flat or 28 rows of "
                    + "28) or \"images\" (an array of such images)");
        }
        return new Request(List.of(pixels(pixels, "\"pixels\"")), false);
    }

    /** The 784 pixels of one image, or an IllegalArgumentException naming {@code what} is wrong. */
    static float[] pixels(JsonNode rows, String what) {
        if (rows == null || !rows.isArray()) {
            throw new IllegalArgumentException(what + " must be an array of 784 values in [0, 1], flat or 28 rows "
                    + "of 28");
        }
        float[] pixels = new float[MnistImages.PIXELS];
        int n = 0;
        boolean nested = rows.size() == MnistImages.SIDE && rows.get(0).isArray();
        for (JsonNode row : nested ? rows : List.of(rows)) {
            if (nested && (!row.isArray() || row.size() != MnistImages.SIDE)) {
                throw new IllegalArgumentException(what + " as rows must be 28 arrays of 28 values");
            }
            for (JsonNode v : row) {
                if (!v.isNumber()) {
                    throw new IllegalArgumentException(what + ": pixel " + n + " is not a number: " + v);
                }
                double value = v.asDouble();
                if (!Double.isFinite(value)) {
                    throw new IllegalArgumentException(what + ": pixel " + n + " = " + v + " is not a finite number");
                }
                if (!(value >= 0 && value <= 1)) {
                    throw new IllegalArgumentException(what + ": pixel " + n + " = " + value + " is outside [0, 1] "
                            + "(divide 0-255 grey values by 255)");
                }
                if (n < pixels.length) {
                    pixels[n] = (float) value;
                }
                n++;
            }
        }
        if (n != MnistImages.PIXELS) {
            throw new IllegalArgumentException(what + " has " + n + " values, expected " + MnistImages.PIXELS
                    + " (28x28)");
        }
        return pixels;
    }

    private static ObjectNode prediction(float[] probabilities) {
        ObjectNode answer = JSON.createObjectNode().put("class", MnistClassifier.argMax(probabilities));
        ArrayNode values = answer.putArray("probabilities");
        for (float v : probabilities) {
            values.add(v);
        }
        return answer;
    }

    private static ObjectNode predictions(float[][] rows) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode all = answer.putArray("predictions");
        for (float[] row : rows) {
            all.add(prediction(row));
        }
        return answer;
    }

    private static void error(HttpExchange exchange, int status, String message) throws IOException {
        send(exchange, status, JSON.createObjectNode().put("error", message));
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        exchange.close();
    }
}
