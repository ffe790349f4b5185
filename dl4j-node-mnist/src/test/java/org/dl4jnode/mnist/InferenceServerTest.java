package org.dl4jnode.mnist;

import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The HTTP endpoint: single and batch predictions equal the model's, every bad request is answered
 * with its reason, a full queue answers 503, a slow client is cut off, and stopping (close or SIGTERM)
 * answers the requests in flight first.
 */
class InferenceServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    static Path dir;
    static MnistClassifier classifier;
    static InferenceServer server;
    static URI predict;

    @BeforeAll
    static void serve() throws IOException {
        classifier = RequestBatcherTest.untrained();
        server = InferenceServer.start(classifier, new InetSocketAddress("127.0.0.1", 0));
        predict = URI.create("http://127.0.0.1:" + server.address().getPort() + "/predict");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> post(URI uri, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static CompletableFuture<HttpResponse<String>> postAsync(URI uri, String body) {
        return CLIENT.sendAsync(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String single(float[] image) throws Exception {
        return JSON.writeValueAsString(Map.of("pixels", image));
    }

    private static void assertPrediction(JsonNode answer, float[] expected) {
        assertThat(answer.get("class").asInt()).isEqualTo(MnistClassifier.argMax(expected));
        for (int c = 0; c < 10; c++) {
            assertThat(answer.get("probabilities").get(c).floatValue()).isCloseTo(expected[c], within(1e-5f));
        }
    }

    @Test
    void answersOneImageWithItsClassAndProbabilities() throws Exception {
        float[] image = RequestBatcherTest.images(1, 1).get(0);
        HttpResponse<String> ok = post(predict, single(image));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertPrediction(JSON.readTree(ok.body()), classifier.probabilities(List.of(image))[0]);
    }

    @Test
    void answersABatchWithOnePredictionPerImageInOrder() throws Exception {
        List<float[]> images = RequestBatcherTest.images(5, 2);
        float[][] expected = classifier.probabilities(images);
        HttpResponse<String> ok = post(predict, JSON.writeValueAsString(Map.of("images", images)));
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode predictions = JSON.readTree(ok.body()).get("predictions");
        assertThat(predictions.size()).isEqualTo(5);
        for (int i = 0; i < 5; i++) {
            assertPrediction(predictions.get(i), expected[i]);
        }
    }

    @Test
    void concurrentClientsAreServedTogether() throws Exception {
        List<float[]> images = RequestBatcherTest.images(16, 3);
        float[][] expected = classifier.probabilities(images);
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (float[] image : images) {
            answers.add(postAsync(predict, single(image)));
        }
        for (int i = 0; i < images.size(); i++) {
            HttpResponse<String> r = answers.get(i).get(60, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertPrediction(JSON.readTree(r.body()), expected[i]);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "truncated JSON | {\"pixels\": [0.1, | malformed JSON",
            "trailing garbage | {\"pixels\": [0.5]} trailing | malformed JSON",
            "a second object | {\"images\": [[0.5]]} {} | malformed JSON",
            "NaN literal | {\"pixels\": [NaN] } | malformed JSON",
            "an overflowing number | {\"pixels\": [1e999] } | not a finite number",
            "a negative pixel | {\"pixels\": [-0.5] } | outside [0, 1]",
            "a 0-255 pixel | {\"pixels\": [255] } | divide 0-255 grey values by 255",
            "a string pixel | {\"pixels\": [\"0.5\"] } | is not a number",
            "too few pixels | {\"pixels\": [0.5, 0.5]} | has 2 values, expected 784",
            "not an object | [0.5, 0.5] | expected a JSON object",
            "no image | {\"pixel\": []} | missing array \"pixels\"",
            "both forms | {\"pixels\": [], \"images\": []} | not both",
            "an empty batch | {\"images\": []} | non-empty array",
            "a bad image in a batch | {\"images\": [[0.5]]} | image 0 has 1 values",
            "empty body | '' | expected a JSON object",
    })
    void aBadBodyGets400WithItsReason(String what, String body, String reason) throws Exception {
        HttpResponse<String> r = post(predict, body);
        assertThat(r.statusCode()).as(what).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).as(what).contains(reason);
    }

    @Test
    void oversizedBodiesWrongPathsAndMethodsGetTheirStatus() throws Exception {
        HttpResponse<String> big = post(predict, "{\"pixels\": [" + "0,".repeat(600_000) + "0]}");
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(big.body()).contains("over 1048576 bytes");
        assertThat(post(predict.resolve("/nowhere"), "{}").statusCode()).isEqualTo(404);
        HttpResponse<String> get = CLIENT.send(HttpRequest.newBuilder(predict).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        HttpResponse<String> health = CLIENT.send(HttpRequest.newBuilder(predict.resolve("/health")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(post(predict, single(RequestBatcherTest.images(1, 4).get(0))).statusCode())
                .as("still serving after bad requests").isEqualTo(200);
    }

    @Test
    void aFullQueueAnswers503WithTheReasonAndRetryAfter() throws Exception {
        // one image may wait, for up to 1 s: the second request finds the queue full
        InferenceServer.Options options = InferenceServer.Options.DEFAULT.withBatching(
                new RequestBatcher.Options(100, Duration.ofSeconds(1), 1, 1));
        try (InferenceServer small = InferenceServer.start(classifier, new InetSocketAddress("127.0.0.1", 0), options)) {
            URI uri = URI.create("http://127.0.0.1:" + small.address().getPort() + "/predict");
            CompletableFuture<HttpResponse<String>> first = postAsync(uri, single(RequestBatcherTest.images(1, 5).get(0)));
            Thread.sleep(300);
            HttpResponse<String> refused = post(uri, single(RequestBatcherTest.images(1, 6).get(0)));
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("server busy").contains("capacity of 1");
            assertThat(refused.headers().firstValue("Retry-After")).contains("1");
            assertThat(first.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            HttpResponse<String> tooMany = post(uri, JSON.writeValueAsString(Map.of("images",
                    RequestBatcherTest.images(2, 7))));
            assertThat(tooMany.statusCode()).as("more images than the queue can ever hold").isEqualTo(413);
        }
    }

    @Test
    void aClientThatStallsMidRequestIsDisconnectedAndOthersAreServed() throws Exception {
        // the JDK server's limit is set for this module's tests in the pom: 2 s
        long limit = InferenceServer.readTimeout().toMillis();
        assertThat(limit).isEqualTo(2_000);
        try (Socket slow = new Socket("127.0.0.1", server.address().getPort())) {
            slow.setSoTimeout(30_000);
            OutputStream out = slow.getOutputStream();
            out.write(("POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 10000\r\n\r\n{\"pixels\": [").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            assertThat(post(predict, single(RequestBatcherTest.images(1, 8).get(0))).statusCode())
                    .as("served while another client stalls").isEqualTo(200);
            InputStream in = slow.getInputStream();
            int read;
            try {
                read = in.read();
            } catch (IOException reset) {
                read = -1;
            }
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(read).as("the server closed the stalled connection").isEqualTo(-1);
            assertThat(waited).as("ms until disconnected").isBetween(limit - 500, limit + 5_000);
        }
    }

    @Test
    void closeAnswersTheRequestsInFlightFirst() throws Exception {
        InferenceServer.Options options = InferenceServer.Options.DEFAULT.withBatching(
                new RequestBatcher.Options(100, Duration.ofSeconds(30), 64, 1));
        InferenceServer closing = InferenceServer.start(classifier, new InetSocketAddress("127.0.0.1", 0), options);
        URI uri = URI.create("http://127.0.0.1:" + closing.address().getPort() + "/predict");
        CompletableFuture<HttpResponse<String>> inFlight = postAsync(uri, single(RequestBatcherTest.images(1, 9).get(0)));
        Thread.sleep(500);
        closing.close();
        HttpResponse<String> answered = inFlight.get(60, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(answered.body()).get("probabilities").size()).isEqualTo(10);
    }

    @Test
    void sigtermStopsTheServeCommandAfterAnsweringTheRequestInFlight() throws Exception {
        Path model = dir.resolve("untrained.zip");
        ModelSerializer.writeModel(classifier.network(), model.toFile(), false);
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath));
        String platform = System.getProperty("org.bytedeco.javacpp.platform.extension");
        if (platform != null) {
            command.add("-Dorg.bytedeco.javacpp.platform.extension=" + platform);
        }
        command.addAll(List.of(MnistOde.class.getName(), "serve", model.toString(), "--port", "0",
                "--max-wait-ms", "30000"));
        Process serve = new ProcessBuilder(command).redirectErrorStream(true).start();
        // read its output as it comes, so the pipe never fills and nothing is lost at exit
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                    if (line.startsWith("serving ")) {
                        port.complete(Integer.parseInt(line.replaceAll(".*http://[^:]+:(\\d+).*", "$1")));
                    }
                }
            } catch (IOException e) {
                lines.add("(output unreadable: " + e + ")");
            }
            port.complete(-1);
        });
        reader.start();
        try {
            int p = port.get(120, TimeUnit.SECONDS);
            assertThat(p).as("serve printed its address: %s", lines).isPositive();
            URI uri = URI.create("http://127.0.0.1:" + p + "/predict");
            // waits in the batcher for up to 30 s: still in flight when SIGTERM arrives
            CompletableFuture<HttpResponse<String>> inFlight = postAsync(uri, single(RequestBatcherTest.images(1, 10).get(0)));
            Thread.sleep(1_000);
            serve.toHandle().destroy(); // SIGTERM; Process.destroy would also close our end of its output
            HttpResponse<String> answered = inFlight.get(60, TimeUnit.SECONDS);
            assertThat(answered.statusCode()).isEqualTo(200);
            assertThat(serve.waitFor(60, TimeUnit.SECONDS)).as("serve exited").isTrue();
            reader.join(10_000);
            assertThat(lines).anyMatch(l -> l.startsWith("stopped: 1 minibatches"));
        } finally {
            serve.destroyForcibly();
        }
    }
}
