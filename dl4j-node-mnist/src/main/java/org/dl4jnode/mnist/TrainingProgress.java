package org.dl4jnode.mnist;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.dl4jnode.listeners.NfeListener;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Prints a progress line every few seconds of training: epoch, minibatch, examples per second since
 * the clock started, the last loss, the ODE layers' NFE (forward evaluations / backward products of
 * the last minibatch) where they are known, and the estimated time left.
 *
 * <p>As a training listener it counts the network's own minibatches (the first one starts the clock);
 * a driver that trains elsewhere (Spark) reports finished minibatches with {@link #advance}.
 */
public final class TrainingProgress extends BaseTrainingListener {

    private final PrintStream out;
    private final long totalIterations;
    private final int epochs;
    private final int batchSize;
    private final long intervalNanos;
    private boolean started;
    private long start;
    private long doneAtStart;
    private long lastPrint;
    private long done;
    private long lastForward;
    private long lastBackward;

    /**
     * @param totalIterations minibatches in the whole run
     * @param intervalSeconds seconds between lines
     */
    public TrainingProgress(PrintStream out, long totalIterations, int epochs, int batchSize, double intervalSeconds) {
        this.out = out;
        this.totalIterations = totalIterations;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.intervalNanos = (long) (intervalSeconds * 1e9);
    }

    /** Starts the clock now (else the first reported minibatch starts it and is not counted in the rate). */
    public void start() {
        if (!started) {
            started = true;
            start = System.nanoTime();
            lastPrint = start;
            doneAtStart = done;
        }
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        List<NfeListener.LayerNfe> nfe = NfeListener.countsOf(model);
        lastForward = nfe.stream().mapToLong(NfeListener.LayerNfe::forward).sum();
        lastBackward = nfe.stream().mapToLong(NfeListener.LayerNfe::backward).sum();
        advance(1, epoch, model.score(), String.format(Locale.ROOT, "  NFE %d/%d", lastForward, lastBackward));
    }

    /**
     * Records {@code minibatches} more finished minibatches and prints a line when one is due (and after the
     * last).
     *
     * @param epoch zero-based epoch they belong to
     * @param loss  the latest loss
     * @param nfe   what to print about the NFE (e.g. {@code "  NFE 12/12"}), or empty
     */
    public void advance(long minibatches, int epoch, double loss, String nfe) {
        done += minibatches;
        start();
        long now = System.nanoTime();
        if (now - lastPrint >= intervalNanos || done >= totalIterations) {
            lastPrint = now;
            double seconds = (now - start) / 1e9;
            long counted = done - doneAtStart;
            double perSecond = counted > 0 && seconds > 0 ? counted * batchSize / seconds : 0;
            long left = counted > 0 ? (long) ((totalIterations - done) * (seconds / counted)) : 0;
            out.printf(Locale.ROOT, "epoch %d/%d  minibatch %d/%d  %.0f examples/s  loss %.4f%s  ETA %s%n",
                    Math.min(epoch + 1, epochs), epochs, done, totalIterations, perSecond, loss, nfe,
                    format(Duration.ofSeconds(Math.max(0, left))));
        }
    }

    /** Forward evaluations of f in the last minibatch, all ODE layers. */
    long lastForwardEvaluations() {
        return lastForward;
    }

    /** Backward products in the last minibatch, all ODE layers. */
    long lastBackwardEvaluations() {
        return lastBackward;
    }

    /** A duration as {@code 3m05s} or {@code 42s}. */
    public static String format(Duration d) {
        return d.toMinutes() > 0 ? d.toMinutes() + "m" + String.format("%02ds", d.toSecondsPart()) : d.toSeconds() + "s";
    }
}
