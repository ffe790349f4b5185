package org.dl4jnode.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.api.OptimizationAlgorithm;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.constraint.MaxNormConstraint;
import org.deeplearning4j.nn.conf.constraint.NonNegativeConstraint;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.GaussianDropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.weightnoise.DropConnect;
import org.deeplearning4j.nn.conf.weightnoise.WeightNoise;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jnode.conf.Augmentation;
import org.dl4jnode.conf.AugmentedOdeLayer;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.junit.jupiter.api.Test;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * What DL4J's per-layer and global options do to an ODE layer in training: each reaches the
 * layer's parameters, its input or its gradient as it does for DL4J's own layers, proven by the
 * parameters after an update or by a double-precision gradient check.
 */
@ExtendWith(DoublePrecision.class)
class NetworkOptionsTrainingTest {

    private static final long SEED = 7;

    private static MultiLayerNetwork network(UnaryOperator<NeuralNetConfiguration.Builder> global, Layer ode,
                                             DataType dataType) {
        MultiLayerConfiguration conf = global.apply(new NeuralNetConfiguration.Builder().seed(SEED).dataType(dataType)
                        .weightInit(WeightInit.XAVIER).updater(new Sgd(0.1))).list()
                .layer(new DenseLayer.Builder().nOut(OdeNetworks.HIDDEN).activation(Activation.TANH).build())
                .layer(ode)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(OdeNetworks.CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(OdeNetworks.N_IN))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static OdeLayer.Builder ode() {
        return new OdeLayer.Builder().field(VectorField.mlp(5)).steps(2);
    }

    private static DataSet batch(DataType dataType) {
        return new DataSet(OdeNetworks.features(16, dataType, SEED), OdeNetworks.labels(16, dataType, SEED + 1));
    }

    private static Map<String, INDArray> odeParams(MultiLayerNetwork net) {
        Map<String, INDArray> copy = new HashMap<>();
        net.getLayer(1).paramTable().forEach((k, v) -> copy.put(k, v.dup()));
        return copy;
    }

    /** The change of every ODE parameter array in one {@code fit} of the standard batch. */
    private static Map<String, INDArray> oneUpdate(MultiLayerNetwork net) {
        Map<String, INDArray> before = odeParams(net);
        net.fit(batch(net.getLayerWiseConfigurations().getDataType()));
        Map<String, INDArray> change = new HashMap<>();
        net.getLayer(1).paramTable().forEach((k, v) -> change.put(k, v.sub(before.get(k))));
        return change;
    }

    private static boolean gradientsAreExact(MultiLayerNetwork net, boolean resetRandomEachPass) {
        GradientCheckUtil.MLNConfig check = new GradientCheckUtil.MLNConfig().net(net)
                .input(OdeNetworks.features(5, DataType.DOUBLE, SEED)).labels(OdeNetworks.labels(5, DataType.DOUBLE, SEED + 1))
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9);
        if (resetRandomEachPass) {
            check.callEachIter(n -> Nd4j.getRandom().setSeed(SEED));
        }
        return GradientCheckUtil.checkGradients(check);
    }

    @Test
    void constraintsHoldAfterEveryUpdateOnTheParametersTheyName() {
        MultiLayerNetwork net = network(g -> g.updater(new Sgd(1.0)).constrainWeights(new MaxNormConstraint(0.1, 0))
                .constrainBias(new NonNegativeConstraint()), ode().build(), DataType.FLOAT);
        for (int i = 0; i < 3; i++) {
            net.fit(batch(DataType.FLOAT));
            Map<String, INDArray> p = net.getLayer(1).paramTable();
            for (String w : new String[] {"W0", "Wt", "W1"}) {
                // max-norm over dimension 0: every output unit's incoming weights
                assertThat(p.get(w).norm2(0).maxNumber().doubleValue()).as(w).isLessThanOrEqualTo(0.1 + 1e-6);
            }
            // DL4J scales by maxNorm / (norm + 1e-6)
            assertThat(p.get("W0").norm2(0).maxNumber().doubleValue()).isCloseTo(0.1, within(1e-5));
            for (String b : new String[] {"b0", "b1"}) {
                assertThat(p.get(b).minNumber().doubleValue()).as(b).isGreaterThanOrEqualTo(0.0);
            }
        }
    }

    @Test
    void aConstraintReachesTheInputLayerOfAnAugmentation() {
        MultiLayerNetwork net = network(g -> g.updater(new Sgd(1.0)).constrainWeights(new MaxNormConstraint(0.05, 0)),
                new AugmentedOdeLayer.Builder().augmentation(Augmentation.inputLayer(2).onlyExtraDims())
                        .field(VectorField.mlp(4)).steps(2).build(), DataType.FLOAT);
        net.fit(batch(DataType.FLOAT));
        assertThat(net.getLayer(1).getParam("liftW").norm2(0).maxNumber().doubleValue())
                .isLessThanOrEqualTo(0.05 + 1e-6);
    }

    @Test
    void dropoutOnTheLayerInputHasExactGradients() {
        // the input gradient goes back through the forward pass's mask; without that this check fails
        for (IDropout dropout : new IDropout[] {new Dropout(0.6), new GaussianDropout(0.2)}) {
            MultiLayerNetwork net = network(g -> g.updater(new NoOp()),
                    ode().dropOut(dropout).build(), DataType.DOUBLE);
            assertThat(gradientsAreExact(net, true)).as(dropout.toString()).isTrue();
        }
    }

    @Test
    void dropoutAppliesInTrainingOnly() {
        MultiLayerNetwork net = network(g -> g, ode().dropOut(0.5).build(), DataType.DOUBLE);
        INDArray x = OdeNetworks.features(8, DataType.DOUBLE, SEED);
        assertThat(net.output(x, false)).isEqualTo(net.output(x, false));
        assertThat(net.output(x, true)).isNotEqualTo(net.output(x, false));
    }

    @Test
    void additiveWeightNoiseHasExactGradientsAndAppliesInTrainingOnly() {
        MultiLayerNetwork net = network(g -> g.updater(new NoOp()),
                ode().weightNoise(new WeightNoise(new NormalDistribution(0, 0.3))).build(), DataType.DOUBLE);
        assertThat(gradientsAreExact(net, true)).isTrue();
        INDArray x = OdeNetworks.features(8, DataType.DOUBLE, SEED);
        MultiLayerNetwork quiet = network(g -> g.updater(new NoOp()), ode().build(), DataType.DOUBLE);
        assertThat(net.output(x, false)).isEqualTo(quiet.output(x, false));
        assertThat(net.output(x, true)).isNotEqualTo(quiet.output(x, true));
    }

    @Test
    void weightNoiseReachesTheInputLayerOfAnAugmentationWithExactGradients() {
        MultiLayerNetwork net = network(g -> g.updater(new NoOp()), new AugmentedOdeLayer.Builder()
                .augmentation(Augmentation.inputLayer(2)).field(VectorField.mlp(4)).steps(2)
                .weightNoise(new WeightNoise(new NormalDistribution(0, 0.3))).build(), DataType.DOUBLE);
        assertThat(gradientsAreExact(net, true)).isTrue();
    }

    @Test
    void dropConnectDropsFieldWeightsInTrainingPasses() {
        MultiLayerNetwork net = network(g -> g, ode().weightNoise(new DropConnect(0.5)).build(), DataType.DOUBLE);
        MultiLayerNetwork quiet = network(g -> g, ode().build(), DataType.DOUBLE);
        INDArray x = OdeNetworks.features(8, DataType.DOUBLE, SEED);
        assertThat(net.output(x, true)).isNotEqualTo(quiet.output(x, true));
        assertThat(net.output(x, false)).isEqualTo(quiet.output(x, false));
        double before = net.score(batch(DataType.DOUBLE));
        for (int i = 0; i < 30; i++) {
            net.fit(batch(DataType.DOUBLE));
        }
        assertThat(net.score(batch(DataType.DOUBLE))).isLessThan(before);
    }

    @Test
    void l1AndL2HaveExactGradients() {
        MultiLayerNetwork net = network(g -> g.updater(new NoOp()).l1(0.02).l2(0.05).l2Bias(0.03),
                ode().build(), DataType.DOUBLE);
        assertThat(gradientsAreExact(net, false)).isTrue();
    }

    @Test
    void l2ScoresTheWeightsAndL2BiasTheBiases() {
        DataSet data = batch(DataType.DOUBLE);
        MultiLayerNetwork plain = network(g -> g, ode().build(), DataType.DOUBLE);
        MultiLayerNetwork weights = network(g -> g, ode().l2(0.5).build(), DataType.DOUBLE);
        MultiLayerNetwork biases = network(g -> g, ode().l2Bias(0.5).build(), DataType.DOUBLE);
        Map<String, INDArray> p = plain.getLayer(1).paramTable();
        double w2 = 0;
        double b2 = 0;
        for (String w : new String[] {"W0", "Wt", "W1"}) {
            w2 += p.get(w).mul(p.get(w)).sumNumber().doubleValue();
        }
        for (String b : new String[] {"b0", "b1"}) {
            b2 += p.get(b).mul(p.get(b)).sumNumber().doubleValue();
        }
        assertThat(b2).as("the bias init gives the biases something to score").isGreaterThanOrEqualTo(0.0);
        assertThat(weights.score(data, false) - plain.score(data, false)).isCloseTo(0.5 * 0.5 * w2, within(1e-12));
        assertThat(biases.score(data, false) - plain.score(data, false)).isCloseTo(0.5 * 0.5 * b2, within(1e-12));
    }

    @Test
    void weightDecayShrinksTheWeightsNotTheBiases() {
        double decay = 0.01;
        MultiLayerNetwork plain = network(g -> g, ode().biasInit(0.2).build(), DataType.DOUBLE);
        MultiLayerNetwork decayed = network(g -> g, ode().biasInit(0.2).regularization(
                java.util.List.of(new WeightDecay(decay, false))).build(), DataType.DOUBLE);
        Map<String, INDArray> start = odeParams(plain);
        Map<String, INDArray> plainChange = oneUpdate(plain);
        Map<String, INDArray> decayedChange = oneUpdate(decayed);
        for (String w : new String[] {"W0", "Wt", "W1"}) {
            INDArray extra = decayedChange.get(w).sub(plainChange.get(w));
            assertThat(extra.sub(start.get(w).mul(-decay)).amaxNumber().doubleValue()).as(w).isLessThan(1e-12);
        }
        for (String b : new String[] {"b0", "b1"}) {
            assertThat(decayedChange.get(b).sub(plainChange.get(b)).amaxNumber().doubleValue()).as(b).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(value = GradientNormalization.class, names = "None", mode = EnumSource.Mode.EXCLUDE)
    void gradientNormalizationShapesTheLayersUpdate(GradientNormalization normalization) {
        double threshold = 1e-3;
        // Sgd(1): the update is the normalised gradient itself
        MultiLayerNetwork net = network(g -> g.updater(new Sgd(1.0)).gradientNormalization(normalization)
                .gradientNormalizationThreshold(threshold), ode().build(), DataType.DOUBLE);
        Map<String, INDArray> change = oneUpdate(net);
        double layerNorm = Math.sqrt(change.values().stream().mapToDouble(a -> a.mul(a).sumNumber().doubleValue()).sum());
        switch (normalization) {
            case RenormalizeL2PerLayer -> assertThat(layerNorm).isCloseTo(1.0, within(1e-9));
            case RenormalizeL2PerParamType -> change.forEach((k, v) ->
                    assertThat(v.norm2Number().doubleValue()).as(k).isCloseTo(1.0, within(1e-9)));
            case ClipElementWiseAbsoluteValue -> {
                double largest = change.values().stream().mapToDouble(a -> a.amaxNumber().doubleValue()).max()
                        .orElseThrow();
                assertThat(largest).isCloseTo(threshold, within(1e-12));
            }
            case ClipL2PerLayer -> assertThat(layerNorm).isCloseTo(threshold, within(1e-12));
            case ClipL2PerParamType -> change.forEach((k, v) ->
                    assertThat(v.norm2Number().doubleValue()).as(k).isCloseTo(threshold, within(1e-12)));
            default -> throw new AssertionError(normalization);
        }
    }

    @Test
    void perLayerAndBiasUpdatersReachTheirParameters() {
        Map<String, INDArray> frozen = oneUpdate(network(g -> g, ode().updater(new Sgd(0)).build(), DataType.DOUBLE));
        frozen.forEach((k, v) -> assertThat(v.amaxNumber().doubleValue()).as(k).isZero());
        Map<String, INDArray> biasesFixed = oneUpdate(network(g -> g.updater(new Adam(1e-2)),
                ode().biasUpdater(new Sgd(0)).build(), DataType.DOUBLE));
        for (String b : new String[] {"b0", "b1"}) {
            assertThat(biasesFixed.get(b).amaxNumber().doubleValue()).as(b).isZero();
        }
        for (String w : new String[] {"W0", "Wt", "W1"}) {
            assertThat(biasesFixed.get(w).amaxNumber().doubleValue()).as(w).isGreaterThan(1e-4);
        }
    }

    @Test
    void aFrozenLayerKeepsItsParametersAndSurvivesJson() {
        MultiLayerNetwork net = network(g -> g, new FrozenLayer(ode().build()), DataType.DOUBLE);
        oneUpdate(net).forEach((k, v) -> assertThat(v.amaxNumber().doubleValue()).as(k).isZero());
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        assertThat(MultiLayerConfiguration.fromJson(conf.toJson())).isEqualTo(conf);
    }

    @Test
    void aFrozenLayerWithBackpropPassesTheSameGradientToTheLayersBelow() {
        MultiLayerNetwork frozen = network(g -> g, new FrozenLayerWithBackprop(ode().build()), DataType.DOUBLE);
        MultiLayerNetwork open = network(g -> g, ode().build(), DataType.DOUBLE);
        open.setParams(frozen.params());
        Gradient f = gradient(frozen);
        Gradient o = gradient(open);
        assertThat(f.getGradientFor("0_W")).isEqualTo(o.getGradientFor("0_W"));
        assertThat(f.getGradientFor("0_W").amaxNumber().doubleValue()).isGreaterThan(0.0);
        oneUpdate(frozen).forEach((k, v) -> assertThat(v.amaxNumber().doubleValue()).as(k).isZero());
    }

    private static Gradient gradient(MultiLayerNetwork net) {
        DataSet data = batch(DataType.DOUBLE);
        net.setInput(data.getFeatures());
        net.setLabels(data.getLabels());
        net.computeGradientAndScore();
        return net.gradient();
    }

    @ParameterizedTest
    @EnumSource(GradientMode.class)
    void workspaceModesGiveTheSameOutputsAndGradients(GradientMode mode) {
        Layer layer = ode().solver(Solver.DOPRI5).steps(1).gradient(mode).build();
        if (mode == GradientMode.ADJOINT) {
            layer = new OdeLayer.Builder().field(VectorField.mlp(5)).solver(Solver.DOPRI5).tolerances(1e-6, 1e-8)
                    .gradient(mode).build();
        }
        Layer l = layer;
        MultiLayerNetwork enabled = network(g -> g.trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED), l, DataType.DOUBLE);
        MultiLayerNetwork none = network(g -> g.trainingWorkspaceMode(WorkspaceMode.NONE)
                .inferenceWorkspaceMode(WorkspaceMode.NONE), l.clone(), DataType.DOUBLE);
        none.setParams(enabled.params());
        INDArray x = OdeNetworks.features(6, DataType.DOUBLE, SEED);
        assertThat(none.output(x)).isEqualTo(enabled.output(x));
        assertThat(gradient(none).gradient()).isEqualTo(gradient(enabled).gradient());
        ComputationGraph graphEnabled = OdeNetworks.computationGraph(l.clone(), DataType.DOUBLE, SEED);
        ComputationGraph graphNone = new ComputationGraph(graphEnabled.getConfiguration().clone());
        graphNone.getConfiguration().setTrainingWorkspaceMode(WorkspaceMode.NONE);
        graphNone.getConfiguration().setInferenceWorkspaceMode(WorkspaceMode.NONE);
        graphNone.init(graphEnabled.params().dup(), false);
        assertThat(graphNone.outputSingle(x)).isEqualTo(graphEnabled.outputSingle(x));
    }

    @ParameterizedTest
    @EnumSource(value = OptimizationAlgorithm.class, names = {"LINE_GRADIENT_DESCENT", "CONJUGATE_GRADIENT", "LBFGS"})
    void lineSearchOptimisersSeeTheLayersParameters(OptimizationAlgorithm algorithm) {
        // they read the parameters through the configuration's variable list, which the initialiser fills
        MultiLayerNetwork net = network(g -> g.optimizationAlgo(algorithm), ode().build(), DataType.DOUBLE);
        assertThat(net.getLayer(1).conf().variables()).containsExactly("W0", "Wt", "b0", "W1", "b1");
        double before = net.score(batch(DataType.DOUBLE));
        Map<String, INDArray> change = oneUpdate(net);
        assertThat(net.score(batch(DataType.DOUBLE))).isLessThan(before);
        assertThat(change.get("W0").amaxNumber().doubleValue()).isGreaterThan(0.0);
        assertThat(net.summary()).contains("W0:{3,5}");
    }
}
