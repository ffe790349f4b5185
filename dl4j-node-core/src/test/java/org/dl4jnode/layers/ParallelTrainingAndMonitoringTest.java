package org.dl4jnode.layers;

import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.parallelism.ParallelInference;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.deeplearning4j.parallelism.inference.InferenceMode;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.api.StatsInitializationReport;
import org.deeplearning4j.ui.model.stats.api.StatsReport;
import org.deeplearning4j.ui.model.stats.api.StatsType;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.VectorField;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** An ODE network under DL4J's multi-threaded trainer and server, and under the training UI's listener. */
class ParallelTrainingAndMonitoringTest {

    private static final long SEED = 13;

    private static MultiLayerNetwork network() {
        return OdeNetworks.multiLayerNetwork(new OdeLayer.Builder().field(VectorField.mlp(5)).steps(2).build(),
                DataType.FLOAT, SEED);
    }

    private static DataSet data() {
        return new DataSet(OdeNetworks.features(64, DataType.FLOAT, SEED), OdeNetworks.labels(64, DataType.FLOAT, SEED + 1));
    }

    @Test
    void parallelWrapperTrainsTheOdeLayerOnTwoWorkers() throws Exception {
        MultiLayerNetwork net = network();
        double before = net.score(data());
        INDArray ode = net.getLayer(1).params().dup();
        try (ParallelWrapper wrapper = new ParallelWrapper.Builder<>(net).workers(2).prefetchBuffer(2)
                .averagingFrequency(1).build()) {
            for (int epoch = 0; epoch < 10; epoch++) {
                wrapper.fit(new ListDataSetIterator<>(data().asList(), 8));
            }
        }
        assertThat(net.getLayer(1).params()).isNotEqualTo(ode);
        assertThat(net.score(data())).isLessThan(before);
    }

    @Test
    void parallelInferenceServesTheSameOutputs() {
        MultiLayerNetwork net = network();
        INDArray x = data().getFeatures();
        ParallelInference server = new ParallelInference.Builder(net).workers(2).inferenceMode(InferenceMode.BATCHED)
                .batchLimit(16).build();
        try {
            INDArray served = server.output(x);
            assertThat(served.sub(net.output(x)).amaxNumber().doubleValue()).isLessThan(1e-6);
        } finally {
            server.shutdown();
        }
    }

    @Test
    void theUisStatsListenerReportsTheOdeLayersParametersAndGradients() {
        MultiLayerNetwork net = network();
        InMemoryStatsStorage storage = new InMemoryStatsStorage();
        net.setListeners(new StatsListener(storage, 1));
        for (int i = 0; i < 3; i++) {
            net.fit(data());
        }
        String session = storage.listSessionIDs().get(0);
        String worker = storage.listWorkerIDsForSession(session).get(0);
        StatsInitializationReport init = (StatsInitializationReport) storage.getStaticInfo(session, StatsListener.TYPE_ID, worker);
        assertThat(init.getModelParamNames()).contains("1_W0", "1_Wt", "1_b0", "1_W1", "1_b1");
        List<Persistable> updates = storage.getAllUpdatesAfter(session, StatsListener.TYPE_ID, worker, 0);
        assertThat(updates).isNotEmpty();
        StatsReport last = (StatsReport) updates.get(updates.size() - 1);
        double w0 = net.getLayer(1).getParam("W0").meanNumber().doubleValue();
        assertThat(last.getMean(StatsType.Parameters).get("1_W0")).isCloseTo(w0, within(1e-6));
        assertThat(last.getMeanMagnitudes(StatsType.Gradients)).containsKey("1_W1");
        assertThat(last.getMeanMagnitudes(StatsType.Updates).get("1_W1")).isGreaterThan(0.0);
    }
}
