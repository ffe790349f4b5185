package org.dl4jnode.layers;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.VectorField;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

import static org.assertj.core.api.Assertions.assertThat;

/** fit() trains an ODE network in both floating point types. */
class OdeLayerTrainingTest {

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void fitLowersTheLoss(DataType dataType) {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(
                new OdeLayer.Builder().field(VectorField.mlp(8)).steps(2).updater(new org.nd4j.linalg.learning.config.Adam(0.05)).build(),
                dataType, 3);
        DataSet batch = new DataSet(OdeNetworks.features(32, dataType, 5), OdeNetworks.labels(32, dataType, 6));
        double before = net.score(batch);
        for (int i = 0; i < 40; i++) {
            net.fit(batch);
        }
        assertThat(net.params().dataType()).isEqualTo(dataType);
        assertThat(net.score(batch)).isLessThan(before * 0.8);
    }
}
