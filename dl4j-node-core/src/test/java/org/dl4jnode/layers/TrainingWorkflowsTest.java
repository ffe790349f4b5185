package org.dl4jnode.layers;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingModelSaver;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.saver.InMemoryModelSaver;
import org.deeplearning4j.earlystopping.saver.LocalFileModelSaver;
import org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculator;
import org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition;
import org.deeplearning4j.earlystopping.trainer.EarlyStoppingTrainer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jnode.conf.BaseOdeLayer;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.VectorField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** DL4J's workflows around a network with an ODE layer: transfer learning and early stopping. */
class TrainingWorkflowsTest {

    private static final long SEED = 11;

    private static OdeLayer ode() {
        return new OdeLayer.Builder().name("ode").field(VectorField.mlp(5)).steps(2).build();
    }

    private static DataSet batch() {
        return new DataSet(OdeNetworks.features(24, DataType.FLOAT, SEED), OdeNetworks.labels(24, DataType.FLOAT, SEED + 1));
    }

    @Test
    void aFeatureExtractorFreezesTheOdeLayerAndTheHeadStillTrains(@TempDir Path dir) throws IOException {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(ode(), DataType.FLOAT, SEED);
        net.fit(batch());
        MultiLayerNetwork transferred = new TransferLearning.Builder(net)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Sgd(0.5)).seed(SEED).build())
                .setFeatureExtractor(1)
                .build();
        INDArray ode = transferred.getLayer(1).params().dup();
        INDArray head = transferred.getLayer(2).params().dup();
        assertThat(ode).isEqualTo(net.getLayer(1).params());
        transferred.fit(batch());
        assertThat(transferred.getLayer(1).params()).isEqualTo(ode);
        assertThat(transferred.getLayer(2).params()).isNotEqualTo(head);

        MultiLayerConfiguration conf = transferred.getLayerWiseConfigurations();
        assertThat(MultiLayerConfiguration.fromJson(conf.toJson())).isEqualTo(conf);
        File file = dir.resolve("transferred.zip").toFile();
        ModelSerializer.writeModel(transferred, file, true);
        INDArray x = batch().getFeatures();
        assertThat(ModelSerializer.restoreMultiLayerNetwork(file).output(x)).isEqualTo(transferred.output(x));
    }

    @Test
    void aFineTuneConfigurationReachesTheOdeLayer() {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(ode(), DataType.FLOAT, SEED);
        MultiLayerNetwork tuned = new TransferLearning.Builder(net)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Sgd(0.05)).l2(1e-3)
                        .dropout(new Dropout(0.9)).build())
                .build();
        BaseOdeLayer conf = (BaseOdeLayer) tuned.getLayer(1).conf().getLayer();
        assertThat(conf.getIUpdater()).isEqualTo(new Sgd(0.05));
        assertThat(conf.getRegularization()).containsExactly(new L2Regularization(1e-3));
        assertThat(conf.getIDropout()).isEqualTo(new Dropout(0.9));
        double before = tuned.score(batch());
        for (int i = 0; i < 20; i++) {
            tuned.fit(batch());
        }
        assertThat(tuned.score(batch())).isLessThan(before);
    }

    @Test
    void aWiderLayerBelowResizesTheOdeLayerAndTheLayerAboveTakesItsNewSize() {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(ode(), DataType.FLOAT, SEED);
        // nOutReplace gives the next layer its new nIn; the ODE layer's output follows its input, so the
        // layer above needs nInReplace, as above a BatchNormalization
        MultiLayerNetwork wider = new TransferLearning.Builder(net)
                .nOutReplace(0, 6, WeightInit.XAVIER)
                .nInReplace(2, 6, WeightInit.XAVIER)
                .build();
        BaseOdeLayer conf = (BaseOdeLayer) wider.getLayer(1).conf().getLayer();
        assertThat(conf.getNIn()).isEqualTo(6);
        assertThat(conf.getNOut()).isEqualTo(6);
        assertThat(wider.getLayer(1).getParam("W0").shape()).containsExactly(6, 5);
        assertThat(wider.output(batch().getFeatures()).shape()).containsExactly(24, OdeNetworks.CLASSES);
        wider.fit(batch());
    }

    @Test
    void aGraphsFeatureExtractorFreezesTheOdeVertex() {
        ComputationGraph graph = OdeNetworks.computationGraph(ode(), DataType.FLOAT, SEED);
        ComputationGraph transferred = new TransferLearning.GraphBuilder(graph)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Sgd(0.5)).build())
                .setFeatureExtractor("ode")
                .build();
        INDArray ode = transferred.getLayer("ode").params().dup();
        INDArray head = transferred.getLayer("out").params().dup();
        transferred.fit(batch());
        assertThat(transferred.getLayer("ode").params()).isEqualTo(ode);
        assertThat(transferred.getLayer("out").params()).isNotEqualTo(head);
    }

    @Test
    void earlyStoppingKeepsTheBestModelInMemoryAndOnDisk(@TempDir Path dir) throws IOException {
        for (EarlyStoppingModelSaver<MultiLayerNetwork> saver : java.util.List.<EarlyStoppingModelSaver<MultiLayerNetwork>>of(
                new InMemoryModelSaver<>(), new LocalFileModelSaver(dir.toFile()))) {
            ListDataSetIterator<DataSet> data = new ListDataSetIterator<>(batch().asList(), 8);
            EarlyStoppingConfiguration<MultiLayerNetwork> es = new EarlyStoppingConfiguration.Builder<MultiLayerNetwork>()
                    .epochTerminationConditions(new MaxEpochsTerminationCondition(4))
                    .scoreCalculator(new DataSetLossCalculator(new ListDataSetIterator<>(batch().asList(), 24), true))
                    .modelSaver(saver)
                    .build();
            MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(ode(), DataType.FLOAT, SEED);
            double initial = net.score(batch());
            EarlyStoppingResult<MultiLayerNetwork> result = new EarlyStoppingTrainer(es, net, data).fit();
            assertThat(result.getTerminationReason()).isEqualTo(EarlyStoppingResult.TerminationReason.EpochTerminationCondition);
            assertThat(result.getTotalEpochs()).isEqualTo(4);
            MultiLayerNetwork best = result.getBestModel();
            assertThat(best.getLayer(1)).isInstanceOf(org.dl4jnode.layers.OdeLayer.class);
            // (the result's getBestModelScore() is the saved copy's last score(), which DL4J's clone leaves at 0)
            double bestScore = result.getScoreVsEpoch().get(result.getBestModelEpoch());
            assertThat(best.score(batch())).as(saver.getClass().getSimpleName())
                    .isCloseTo(bestScore, within(1e-5)).isLessThan(initial);
        }
    }
}
