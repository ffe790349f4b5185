package org.dl4jnode.listeners;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.dl4jnode.layers.OdeLayer;
import org.dl4jnode.samediff.solve.SolveStatistics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Reports the number of function evaluations (NFE) of every ODE layer per training iteration: the
 * forward solve's evaluations of f and the backward pass's vector-Jacobian products (one per reversed
 * stage with {@code BACKPROP}, one fused f-and-product per stage of the adjoint solve with
 * {@code ADJOINT}), and the steps behind them: accepted and rejected steps and the smallest step size
 * of the forward solve and of the adjoint's backward solve.
 *
 * <p>The last {@code historySize} iterations are recorded ({@link #history()}; default
 * {@value #DEFAULT_HISTORY}, so a long training run does not grow memory); every {@code frequency}-th
 * is also logged at INFO. Works with {@link MultiLayerNetwork} and {@link ComputationGraph}:
 * <pre>{@code net.setListeners(new NfeListener(10));}</pre>
 */
public class NfeListener extends BaseTrainingListener implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(NfeListener.class);

    /** Iterations kept by default. */
    public static final int DEFAULT_HISTORY = 10_000;

    private final int frequency;
    private final int historySize;
    private final ArrayDeque<Iteration> history = new ArrayDeque<>();

    /** Logs every 10th iteration. */
    public NfeListener() {
        this(10);
    }

    /** @param frequency log every {@code frequency}-th iteration (&gt;= 1); the last {@value #DEFAULT_HISTORY} are recorded */
    public NfeListener(int frequency) {
        this(frequency, DEFAULT_HISTORY);
    }

    /**
     * @param frequency   log every {@code frequency}-th iteration (&gt;= 1)
     * @param historySize iterations kept for {@link #history()}, the oldest dropped first (&gt;= 1)
     */
    public NfeListener(int frequency, int historySize) {
        if (frequency < 1) {
            throw new IllegalArgumentException("NfeListener: frequency must be >= 1, got " + frequency);
        }
        if (historySize < 1) {
            throw new IllegalArgumentException("NfeListener: historySize must be >= 1, got " + historySize);
        }
        this.frequency = frequency;
        this.historySize = historySize;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        List<LayerNfe> layers = countsOf(model);
        Iteration record = new Iteration(iteration, epoch, layers);
        if (history.size() == historySize) {
            history.removeFirst();
        }
        history.addLast(record);
        if (iteration % frequency == 0 && log.isInfoEnabled()) {
            log.info("iteration {} (epoch {}): NFE forward {}, backward {} {}", iteration, epoch,
                    record.forward(), record.backward(), layers);
        }
    }

    /**
     * The NFE of the last forward and backward pass of every ODE layer of a {@link MultiLayerNetwork}
     * or {@link ComputationGraph}, in network order (empty for other models).
     */
    public static List<LayerNfe> countsOf(Model model) {
        List<LayerNfe> layers = new ArrayList<>();
        for (Layer layer : layersOf(model)) {
            if (layer instanceof OdeLayer ode) {
                String name = ode.conf().getLayer().getLayerName();
                layers.add(new LayerNfe(name == null ? String.valueOf(ode.getIndex()) : name,
                        ode.lastForwardEvaluations(), ode.lastBackwardEvaluations(),
                        Steps.of(ode.lastForwardStatistics()), Steps.of(ode.lastBackwardStatistics())));
            }
        }
        return List.copyOf(layers);
    }

    private static Layer[] layersOf(Model model) {
        if (model instanceof MultiLayerNetwork net) {
            return net.getLayers();
        }
        if (model instanceof ComputationGraph graph) {
            return graph.getLayers();
        }
        return new Layer[0];
    }

    /** The recorded iterations, oldest first: the last {@code historySize} seen (a copy). */
    public List<Iteration> history() {
        return List.copyOf(history);
    }

    /** The last iteration seen; throws if none. */
    public Iteration last() {
        if (history.isEmpty()) {
            throw new IllegalStateException("NfeListener has seen no iteration yet");
        }
        return history.getLast();
    }

    /** Forgets the history. */
    public void clear() {
        history.clear();
    }

    /**
     * One ODE layer's counts in one iteration.
     *
     * @param layer         the layer's name, or its index when unnamed
     * @param forward       evaluations of f in the forward solve
     * @param backward      vector-Jacobian products in the backward pass
     * @param forwardSteps  the forward solve's steps
     * @param backwardSteps the adjoint's backward solve's steps (none with backprop)
     */
    public record LayerNfe(String layer, long forward, long backward, Steps forwardSteps, Steps backwardSteps)
            implements Serializable {

        /** Counts without step statistics. */
        public LayerNfe(String layer, long forward, long backward) {
            this(layer, forward, backward, Steps.NONE, Steps.NONE);
        }

        @Override
        public String toString() {
            return layer + ": " + forward + "/" + backward + " (steps " + forwardSteps
                    + (backwardSteps.accepted() > 0 ? ", back " + backwardSteps : "") + ")";
        }
    }

    /**
     * The steps of one solve.
     *
     * @param accepted     accepted steps
     * @param rejected     rejected steps (adaptive solves)
     * @param smallestStep the smallest accepted step size; NaN without steps
     */
    public record Steps(int accepted, int rejected, double smallestStep) implements Serializable {

        /** No solve. */
        public static final Steps NONE = new Steps(0, 0, Double.NaN);

        static Steps of(SolveStatistics s) {
            return new Steps(s.acceptedSteps(), s.rejectedSteps(), s.smallestStep());
        }

        @Override
        public String toString() {
            return accepted + (rejected > 0 ? "+" + rejected + " rejected" : "")
                    + (accepted > 0 ? String.format(", min %.3g", smallestStep) : "");
        }
    }

    /**
     * The counts of one training iteration.
     *
     * @param iteration the network's iteration count
     * @param epoch     the network's epoch count
     * @param layers    per ODE layer, in network order
     */
    public record Iteration(int iteration, int epoch, List<LayerNfe> layers) implements Serializable {

        /** Forward evaluations summed over the ODE layers. */
        public long forward() {
            return layers.stream().mapToLong(LayerNfe::forward).sum();
        }

        /** Backward products summed over the ODE layers. */
        public long backward() {
            return layers.stream().mapToLong(LayerNfe::backward).sum();
        }
    }
}
