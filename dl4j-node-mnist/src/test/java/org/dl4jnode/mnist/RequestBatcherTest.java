package org.dl4jnode.mnist;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Concurrent requests become minibatches, each request gets its own rows, and the queue is bounded. */
class RequestBatcherTest {

    static MnistClassifier classifier;

    @BeforeAll
    static void untrainedModel() {
        classifier = untrained();
    }

    /** The quick MNIST model, untrained: batching does not care what the weights are. */
    static MnistClassifier untrained() {
        MultiLayerNetwork net = new MultiLayerNetwork(MnistModels.configuration(
                MnistModels.defaults(MnistModels.Kind.MLP), 1));
        net.init();
        return new MnistClassifier(net);
    }

    static List<float[]> images(int n, long seed) {
        Random random = new Random(seed);
        List<float[]> images = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] pixels = new float[MnistImages.PIXELS];
            for (int p = 0; p < pixels.length; p++) {
                pixels[p] = random.nextFloat();
            }
            images.add(pixels);
        }
        return images;
    }

    private static RequestBatcher batcher(int maxBatch, Duration maxWait, int queue, int workers) {
        return new RequestBatcher(classifier, new RequestBatcher.Options(maxBatch, maxWait, queue, workers));
    }

    @Test
    void concurrentRequestsShareMinibatchesAndEachGetsItsOwnRows() throws Exception {
        List<float[]> images = images(12, 1);
        float[][] alone = classifier.probabilities(images);
        try (RequestBatcher batcher = batcher(32, Duration.ofMillis(300), 64, 2)) {
            List<CompletableFuture<float[][]>> answers = new ArrayList<>();
            for (float[] image : images) {
                answers.add(batcher.submit(List.of(image)));
            }
            for (int i = 0; i < images.size(); i++) {
                float[] row = answers.get(i).get(30, TimeUnit.SECONDS)[0];
                for (int c = 0; c < 10; c++) {
                    assertThat(row[c]).as("image %d class %d", i, c).isCloseTo(alone[i][c], within(1e-5f));
                }
            }
            assertThat(batcher.batches()).as("12 requests within the 300 ms wait").isLessThan(12);
            assertThat(batcher.meanBatchSize()).isGreaterThan(1);
        }
    }

    @Test
    void aMinibatchNeverExceedsMaxBatchAndRequestsAreNotSplit() throws Exception {
        try (RequestBatcher batcher = batcher(7, Duration.ofMillis(100), 64, 1)) {
            List<CompletableFuture<float[][]>> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                answers.add(batcher.submit(images(3, i)));
            }
            for (CompletableFuture<float[][]> a : answers) {
                assertThat(a.get(30, TimeUnit.SECONDS)).hasNumberOfRows(3);
            }
            // two requests of 3 fit in 7, a third does not: at least 5 minibatches for 30 images
            assertThat(batcher.batches()).isGreaterThanOrEqualTo(5);
            assertThat(batcher.meanBatchSize()).isLessThanOrEqualTo(7);
        }
    }

    @Test
    void aFullQueueRejectsWithTheReasonInsteadOfGrowing() throws Exception {
        try (RequestBatcher batcher = batcher(100, Duration.ofMillis(1_000), 4, 1)) {
            List<CompletableFuture<float[][]>> accepted = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                accepted.add(batcher.submit(images(1, i)));
            }
            assertThatThrownBy(() -> batcher.submit(images(1, 9))).isInstanceOf(RequestBatcher.Overloaded.class)
                    .hasMessageContaining("4 images queued").hasMessageContaining("capacity of 4");
            for (CompletableFuture<float[][]> a : accepted) {
                assertThat(a.get(30, TimeUnit.SECONDS)).hasNumberOfRows(1);
            }
            assertThat(batcher.submit(images(1, 10)).get(30, TimeUnit.SECONDS)).as("room again").hasNumberOfRows(1);
        }
    }

    @Test
    void closeRunsEveryAcceptedRequestAndThenRefuses() throws Exception {
        RequestBatcher batcher = batcher(100, Duration.ofSeconds(60), 64, 1);
        CompletableFuture<float[][]> waiting = batcher.submit(images(2, 3));
        long start = System.nanoTime();
        batcher.close();
        assertThat(waiting).isCompleted();
        assertThat(waiting.get()).hasNumberOfRows(2);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("close does not sit out the 60 s wait")
                .isLessThan(Duration.ofSeconds(20));
        assertThatThrownBy(() -> batcher.submit(images(1, 4))).isInstanceOf(RequestBatcher.Overloaded.class)
                .hasMessageContaining("shutting down");
    }

    @Test
    void aFailureOfTheModelReachesEveryRequestOfItsMinibatch() throws Exception {
        try (RequestBatcher batcher = batcher(8, Duration.ZERO, 64, 1)) {
            CompletableFuture<float[][]> bad = batcher.submit(List.of(new float[3]));
            assertThatThrownBy(() -> bad.get(30, TimeUnit.SECONDS)).hasMessageContaining("784");
            assertThat(batcher.submit(images(1, 5)).get(30, TimeUnit.SECONDS)).as("still serving").hasNumberOfRows(1);
        }
    }

    @Test
    void optionsAreCheckedWhenBuilt() {
        assertThatThrownBy(() -> new RequestBatcher.Options(0, Duration.ZERO, 1, 1)).hasMessageContaining("maxBatch must be >= 1 image, got 0");
        assertThatThrownBy(() -> new RequestBatcher.Options(1, Duration.ofMillis(-1), 1, 1)).hasMessageContaining("maxWait must be >= 0");
        assertThatThrownBy(() -> new RequestBatcher.Options(1, Duration.ZERO, 0, 1)).hasMessageContaining("queueCapacity must be >= 1 image, got 0");
        assertThatThrownBy(() -> new RequestBatcher.Options(1, Duration.ZERO, 1, 0)).hasMessageContaining("workers must be >= 1, got 0");
    }
}
