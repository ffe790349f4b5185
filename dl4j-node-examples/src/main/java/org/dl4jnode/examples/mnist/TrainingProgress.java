package org.dl4jnode.examples.mnist;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.dl4jnode.listeners.NfeListener;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * Prints a progress line every few seconds of training: epoch, minibatch, examples per second since
 * the start, the last minibatch's loss, the ODE layers' NFE (forward evaluations / backward products
 * of the last minibatch) and the estimated time left.
 */
final class TrainingProgress extends BaseTrainingListener {

    private final PrintStream out;
    private final long totalIterations;
    private final int epochs;
    private final int batchSize;
    private final long intervalNanos;
    private long start;
    private long lastPrint;
    private long done;
    private long lastForward;
    private long lastBackward;

    /**
     * @param totalIterations minibatches in the whole run
     * @param intervalSeconds seconds between lines
     */
    TrainingProgress(PrintStream out, long totalIterations, int epochs, int batchSize, double intervalSeconds) {
        this.out = out;
        this.totalIterations = totalIterations;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.intervalNanos = (long) (intervalSeconds * 1e9);
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        long now = System.nanoTime();
        if (done == 0) {
            start = now;
            lastPrint = now;
        }
        done++;
        List<NfeListener.LayerNfe> nfe = NfeListener.countsOf(model);
        lastForward = nfe.stream().mapToLong(NfeListener.LayerNfe::forward).sum();
        lastBackward = nfe.stream().mapToLong(NfeListener.LayerNfe::backward).sum();
        if (now - lastPrint >= intervalNanos || done == totalIterations) {
            lastPrint = now;
            // the first minibatch starts the clock, so it is not counted in the rate
            double seconds = (now - start) / 1e9;
            double perSecond = done > 1 ? (done - 1) * batchSize / seconds : 0;
            long left = (long) ((totalIterations - done) * (seconds / Math.max(1, done - 1)));
            out.printf("epoch %d/%d  minibatch %d/%d  %.0f examples/s  loss %.4f  NFE %d/%d  ETA %s%n",
                    Math.min(epoch + 1, epochs), epochs, done, totalIterations, perSecond, model.score(), lastForward,
                    lastBackward, format(Duration.ofSeconds(left)));
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

    static String format(Duration d) {
        return d.toMinutes() > 0 ? d.toMinutes() + "m" + String.format("%02ds", d.toSecondsPart()) : d.toSeconds() + "s";
    }
}
