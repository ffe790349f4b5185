package org.dl4jnode.mnist;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Collects concurrent prediction requests into minibatches, as DL4J's {@code ParallelInference} does
 * in its {@code BATCHED} mode, with what a server needs on top: a bound on the images waiting, in
 * images, that rejects instead of blocking; a maximum minibatch in images; a maximum wait for a
 * minibatch to fill; and a close that finishes every accepted request.
 *
 * <p>Each worker thread owns a replica of the model ({@link MnistClassifier#replica()}; a DL4J network
 * is not thread-safe) and repeats: take the oldest request, add the requests behind it while the
 * minibatch has room and the oldest has waited less than {@code maxWait}, run the minibatch, hand each
 * request its rows. A request larger than {@code maxBatch} runs as a minibatch of its own; requests
 * are never split. One worker forms a minibatch at a time, so a minibatch is as full as the queue
 * allows.
 */
public final class RequestBatcher implements AutoCloseable {

    /**
     * How requests are batched.
     *
     * @param maxBatch      images in one minibatch at most (a larger request runs alone); default 32
     * @param maxWait       how long the oldest request may wait for the minibatch to fill; default
     *                      zero: a minibatch gathers the requests that arrived while the worker ran the
     *                      previous one, and a lone request waits for nobody (measured on the conv
     *                      model: 454 requests/s for one client against 225 with 2 ms, about the same
     *                      for 8 and 64 clients)
     * @param queueCapacity images accepted but not yet in a minibatch at most; beyond it a request is
     *                      rejected ({@link Overloaded}); default 1,024
     * @param workers       threads, each with its own replica of the model; default 1
     */
    public record Options(int maxBatch, Duration maxWait, int queueCapacity, int workers) {

        /** The defaults: 32 images, no wait, 1,024 images queued, 1 worker. */
        public static final Options DEFAULT = new Options(32, Duration.ZERO, 1_024, 1);

        public Options {
            if (maxBatch < 1) {
                throw new IllegalArgumentException("maxBatch must be >= 1 image, got " + maxBatch);
            }
            if (maxWait == null || maxWait.isNegative()) {
                throw new IllegalArgumentException("maxWait must be >= 0, got " + maxWait);
            }
            if (queueCapacity < 1) {
                throw new IllegalArgumentException("queueCapacity must be >= 1 image, got " + queueCapacity);
            }
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be >= 1, got " + workers);
            }
        }
    }

    /** A request refused because the queue is full or the batcher is closing; the message says which. */
    public static final class Overloaded extends RejectedExecutionException {
        Overloaded(String message) {
            super(message);
        }
    }

    private record Request(List<float[]> images, CompletableFuture<float[][]> result, long arrivedNanos) {
    }

    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Options options;
    private final LinkedBlockingDeque<Request> queue = new LinkedBlockingDeque<>();
    private final AtomicInteger queuedImages = new AtomicInteger();
    private final ReentrantLock forming = new ReentrantLock();
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong batchedImages = new AtomicLong();
    private volatile boolean closing;

    /**
     * Starts the workers: the first uses {@code classifier}'s network, the others replicas of it.
     */
    public RequestBatcher(MnistClassifier classifier, Options options) {
        this.options = options;
        for (int i = 0; i < options.workers(); i++) {
            MnistClassifier model = i == 0 ? classifier : classifier.replica();
            Thread t = new Thread(() -> work(model), "inference-" + i);
            t.setDaemon(true);
            workers.add(t);
        }
        workers.forEach(Thread::start);
    }

    public Options options() {
        return options;
    }

    /**
     * Queues the images of one request; the future completes with one row of class probabilities per
     * image, or exceptionally with the model's failure.
     *
     * @throws Overloaded when the queue cannot take {@code images.size()} more images, or when closing
     */
    public CompletableFuture<float[][]> submit(List<float[]> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("a request needs at least one image");
        }
        int n = images.size();
        int before;
        do {
            before = queuedImages.get();
            if (before + n > options.queueCapacity()) {
                throw new Overloaded("server busy: " + before + " images queued, " + n + " more would exceed the "
                        + "queue's capacity of " + options.queueCapacity() + "; retry later");
            }
        } while (!queuedImages.compareAndSet(before, before + n));
        Request r = new Request(List.copyOf(images), new CompletableFuture<>(), System.nanoTime());
        // checked after reserving: close() waits for queuedImages to drain, so nothing slips in unseen
        if (closing) {
            queuedImages.addAndGet(-n);
            throw new Overloaded("server shutting down; not accepting requests");
        }
        queue.add(r);
        return r.result();
    }

    /** Minibatches run so far. */
    public long batches() {
        return batches.get();
    }

    /** Images run so far. */
    public long images() {
        return batchedImages.get();
    }

    /** Mean images per minibatch so far (0 before the first). */
    public double meanBatchSize() {
        long b = batches.get();
        return b == 0 ? 0 : (double) batchedImages.get() / b;
    }

    /**
     * Stops accepting requests, runs every request already accepted, and stops the workers. Blocks
     * until they have finished.
     */
    @Override
    public void close() {
        closing = true;
        for (Thread t : workers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void work(MnistClassifier model) {
        while (true) {
            List<Request> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) {
                return;
            }
            run(model, batch);
        }
    }

    /** The next minibatch's requests, or null once closing with nothing left to run. */
    private List<Request> nextBatch() throws InterruptedException {
        forming.lockInterruptibly();
        try {
            Request first = null;
            while (first == null) {
                if (closing && queuedImages.get() == 0) {
                    return null;
                }
                first = queue.pollFirst(50, TimeUnit.MILLISECONDS);
            }
            List<Request> batch = new ArrayList<>();
            batch.add(first);
            int images = first.images().size();
            long deadline = first.arrivedNanos() + options.maxWait().toNanos();
            while (images < options.maxBatch()) {
                Request next = queue.pollFirst();
                if (next == null) {
                    long left = deadline - System.nanoTime();
                    if (closing || left <= 0) {
                        break;
                    }
                    // in slices, so that close() ends the wait at once
                    next = queue.pollFirst(Math.min(left, WAIT_SLICE_NANOS), TimeUnit.NANOSECONDS);
                    if (next == null) {
                        continue;
                    }
                }
                if (images + next.images().size() > options.maxBatch()) {
                    queue.addFirst(next);
                    break;
                }
                batch.add(next);
                images += next.images().size();
            }
            queuedImages.addAndGet(-images);
            return batch;
        } finally {
            forming.unlock();
        }
    }

    private void run(MnistClassifier model, List<Request> batch) {
        List<float[]> images = new ArrayList<>();
        batch.forEach(r -> images.addAll(r.images()));
        float[][] rows;
        try {
            rows = model.probabilities(images);
        } catch (RuntimeException e) {
            batch.forEach(r -> r.result().completeExceptionally(e));
            return;
        }
        batches.incrementAndGet();
        batchedImages.addAndGet(images.size());
        int from = 0;
        for (Request r : batch) {
            int n = r.images().size();
            float[][] mine = new float[n][];
            System.arraycopy(rows, from, mine, 0, n);
            from += n;
            r.result().complete(mine);
        }
    }
}
