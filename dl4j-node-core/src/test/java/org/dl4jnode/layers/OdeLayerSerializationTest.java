package org.dl4jnode.layers;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.File;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/** JSON and ModelSerializer round trips, including the updater state that training continues from. */
class OdeLayerSerializationTest {

    private static OdeLayer ode() {
        return new OdeLayer.Builder().name("ode")
                .field(VectorField.mlp(6, 5).activation(Activation.SOFTPLUS).zeroInitLast(true))
                .solver(Solver.MIDPOINT).steps(3).timeSpan(-0.5, 0.75)
                .l2(1e-3)
                .build();
    }

    @Test
    void multiLayerConfigurationJsonRoundTripIsEqual() {
        MultiLayerConfiguration conf = OdeNetworks.multiLayer(ode(), DataType.FLOAT, 1);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertThat(back).isEqualTo(conf);
        assertThat(back.getConf(1).getLayer()).isEqualTo(conf.getConf(1).getLayer());
        assertThat(back.toJson()).isEqualTo(conf.toJson());
    }

    @Test
    void computationGraphConfigurationJsonRoundTripIsEqual() {
        ComputationGraphConfiguration conf = OdeNetworks.graph(ode(), DataType.FLOAT, 1);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertThat(back).isEqualTo(conf);
        assertThat(back.toJson()).isEqualTo(conf.toJson());
    }

    @Test
    void multiLayerNetworkRestoresIdenticallyAndContinuesTraining(@TempDir File dir) throws IOException {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(ode(), DataType.FLOAT, 7);
        DataSet batch = new DataSet(OdeNetworks.features(16, DataType.FLOAT, 1), OdeNetworks.labels(16, DataType.FLOAT, 2));
        for (int i = 0; i < 3; i++) {
            net.fit(batch);
        }
        File file = new File(dir, "ode-mln.zip");
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);

        assertThat(restored.getLayerWiseConfigurations()).isEqualTo(net.getLayerWiseConfigurations());
        assertThat(restored.params()).isEqualTo(net.params());
        assertThat(restored.getUpdater().getStateViewArray()).isEqualTo(net.getUpdater().getStateViewArray());
        INDArray x = batch.getFeatures();
        assertThat(restored.output(x)).isEqualTo(net.output(x));

        net.fit(batch);
        restored.fit(batch);
        assertThat(restored.params()).as("one more Adam step from the restored updater state").isEqualTo(net.params());
    }

    @Test
    void computationGraphRestoresIdenticallyAndContinuesTraining(@TempDir File dir) throws IOException {
        ComputationGraph net = OdeNetworks.computationGraph(ode(), DataType.FLOAT, 7);
        DataSet batch = new DataSet(OdeNetworks.features(16, DataType.FLOAT, 1), OdeNetworks.labels(16, DataType.FLOAT, 2));
        for (int i = 0; i < 3; i++) {
            net.fit(batch);
        }
        File file = new File(dir, "ode-cg.zip");
        ModelSerializer.writeModel(net, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);

        assertThat(restored.getConfiguration()).isEqualTo(net.getConfiguration());
        assertThat(restored.params()).isEqualTo(net.params());
        INDArray x = batch.getFeatures();
        assertThat(restored.outputSingle(x)).isEqualTo(net.outputSingle(x));

        net.fit(batch);
        restored.fit(batch);
        assertThat(restored.params()).isEqualTo(net.params());
    }
}
