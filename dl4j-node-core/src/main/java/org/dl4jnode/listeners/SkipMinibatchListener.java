package org.dl4jnode.listeners;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.dl4jnode.layers.MinibatchSkips;
import org.dl4jnode.layers.OdeLayer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * Undoes the update of a training minibatch that an ODE layer skipped under
 * {@code onSolveFailure(SolveFailurePolicy.skipMinibatch())}: once the minibatch's gradient is
 * computed, and before the updater applies it, the listener copies the parameters and the updater
 * state (only when a layer skipped); after the step it writes them back, so the network is exactly
 * as before the minibatch (the iteration counter still advances). The layer logs the reason.
 *
 * <pre>{@code
 * SkipMinibatchListener skips = SkipMinibatchListener.attachTo(net);   // after net.init()
 * net.fit(data);
 * long skipped = skips.skipped();
 * }</pre>
 * Attach it again after {@code setListeners(...)} replaces the listeners, or after restoring a model:
 * an ODE layer that skips without it fails instead, naming this listener.
 */
public final class SkipMinibatchListener extends BaseTrainingListener {

    private final List<MinibatchSkips> layers;
    private INDArray savedParams;
    private INDArray savedUpdaterState;
    private long skipped;

    private SkipMinibatchListener(Layer[] networkLayers) {
        if (networkLayers == null) {
            throw new IllegalStateException("SkipMinibatchListener: the network has no layers yet; call init() first");
        }
        layers = new ArrayList<>();
        for (Layer layer : networkLayers) {
            if (layer instanceof OdeLayer ode) {
                layers.add(ode.minibatchSkips());
            }
        }
        layers.forEach(MinibatchSkips::attach);
    }

    /** Adds the listener to {@code net} (initialised) and serves its ODE layers. */
    public static SkipMinibatchListener attachTo(MultiLayerNetwork net) {
        SkipMinibatchListener listener = new SkipMinibatchListener(net.getLayers());
        net.addListeners(listener);
        return listener;
    }

    /** Adds the listener to {@code graph} (initialised) and serves its ODE layers. */
    public static SkipMinibatchListener attachTo(ComputationGraph graph) {
        SkipMinibatchListener listener = new SkipMinibatchListener(graph.getLayers());
        graph.addListeners(listener);
        return listener;
    }

    /** Training minibatches whose update this listener undid. */
    public long skipped() {
        return skipped;
    }

    @Override
    public void onGradientCalculation(Model model) {
        if (layers.stream().anyMatch(s -> s.pending().isPresent())) {
            savedParams = model.params().dup();
            INDArray state = updater(model).getStateViewArray();
            savedUpdaterState = state == null ? null : state.dup();
        }
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        if (savedParams == null) {
            return;
        }
        model.params().assign(savedParams);
        if (savedUpdaterState != null) {
            updater(model).getStateViewArray().assign(savedUpdaterState);
        }
        savedParams = null;
        savedUpdaterState = null;
        layers.forEach(MinibatchSkips::undone);
        skipped++;
    }

    private static Updater updater(Model model) {
        if (model instanceof MultiLayerNetwork net) {
            return net.getUpdater();
        }
        if (model instanceof ComputationGraph graph) {
            return graph.getUpdater();
        }
        throw new IllegalArgumentException("SkipMinibatchListener: works with MultiLayerNetwork and ComputationGraph, "
                + "got " + model.getClass().getName());
    }
}
