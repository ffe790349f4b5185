package org.dl4jnode.examples.mnist;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * A small HTTP inference endpoint on the JDK's built-in server.
 *
 * <ul>
 *   <li>{@code POST /predict} with {@code {"pixels": [...]}}: one image, 784 grey values in [0, 1]
 *       (row-major, white ink on black as in MNIST), flat or as 28 rows of 28. Answers
 *       {@code {"class": 7, "probabilities": [10 values]}}.</li>
 *   <li>{@code GET /health}: {@code {"status": "ok"}}.</li>
 * </ul>
 * A bad request gets 400 (404 for another path, 405 for another method, 413 for a body over 1 MiB)
 * with {@code {"error": "..."}} saying what is wrong; the server keeps serving.
 */
public final class InferenceServer implements AutoCloseable {

    private static final int MAX_BODY = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final MnistClassifier classifier;

    private InferenceServer(HttpServer server, MnistClassifier classifier) {
        this.server = server;
        this.classifier = classifier;
    }

    /** Starts serving on {@code address} (port 0: any free port). */
    public static InferenceServer start(MnistClassifier classifier, InetSocketAddress address) throws IOException {
        HttpServer http = HttpServer.create(address, 0);
        InferenceServer s = new InferenceServer(http, classifier);
        http.createContext("/", s::handle);
        http.setExecutor(Executors.newFixedThreadPool(2));
        http.start();
        return s;
    }

    /** The address it listens on (with the actual port). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
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
                        error(exchange, 405, "use POST /predict with a JSON body {\"pixels\": [784 values in [0, 1]]}");
                    } else {
                        predict(exchange);
                    }
                }
                default -> error(exchange, 404, "no such endpoint " + path + "; use POST /predict or GET /health");
            }
        } catch (RuntimeException e) {
            // a failure of the model must not take the server down; the client learns what happened
            error(exchange, 500, "prediction failed: " + e.getMessage());
        }
    }

    private void predict(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            error(exchange, 413, "request body over " + MAX_BODY + " bytes");
            return;
        }
        float[] pixels;
        try {
            pixels = pixels(JSON.readTree(body));
        } catch (JsonProcessingException e) {
            error(exchange, 400, "malformed JSON: " + e.getOriginalMessage());
            return;
        } catch (IllegalArgumentException e) {
            error(exchange, 400, e.getMessage());
            return;
        }
        float[] p = classifier.probabilities(List.of(pixels))[0];
        ObjectNode answer = JSON.createObjectNode().put("class", MnistClassifier.argMax(p));
        ArrayNode probabilities = answer.putArray("probabilities");
        for (float v : p) {
            probabilities.add(v);
        }
        send(exchange, 200, answer);
    }

    /** The 784 pixels of a request, or an IllegalArgumentException saying what is wrong with it. */
    static float[] pixels(JsonNode request) {
        if (request == null || !request.isObject()) {
            throw new IllegalArgumentException("expected a JSON object {\"pixels\": [784 values in [0, 1]]}");
        }
        JsonNode rows = request.get("pixels");
        if (rows == null || !rows.isArray()) {
            throw new IllegalArgumentException("missing array \"pixels\": expected 784 values in [0, 1], flat or "
                    + "28 rows of 28");
        }
        float[] pixels = new float[MnistImages.PIXELS];
        int n = 0;
        boolean nested = rows.size() == MnistImages.SIDE && rows.get(0).isArray();
        for (JsonNode row : nested ? rows : List.of(rows)) {
            if (nested && (!row.isArray() || row.size() != MnistImages.SIDE)) {
                throw new IllegalArgumentException("\"pixels\" as rows must be 28 arrays of 28 values");
            }
            for (JsonNode v : row) {
                if (!v.isNumber()) {
                    throw new IllegalArgumentException("pixel " + n + " is not a number: " + v);
                }
                double value = v.asDouble();
                if (!(value >= 0 && value <= 1)) {
                    throw new IllegalArgumentException("pixel " + n + " = " + value + " is outside [0, 1] (divide "
                            + "0-255 grey values by 255)");
                }
                if (n < pixels.length) {
                    pixels[n] = (float) value;
                }
                n++;
            }
        }
        if (n != MnistImages.PIXELS) {
            throw new IllegalArgumentException("\"pixels\" has " + n + " values, expected " + MnistImages.PIXELS
                    + " (28x28)");
        }
        return pixels;
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
    }
}
