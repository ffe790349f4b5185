package org.dl4jnode.conf;

import org.deeplearning4j.exception.DL4JException;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.conf.distribution.ConstantDistribution;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.dl4jnode.samediff.solve.Tolerances;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** What OdeLayer accepts and rejects, and how it takes part in DL4J's configuration. */
class OdeLayerConfigurationTest {

    private static OdeLayer.Builder valid() {
        return new OdeLayer.Builder().name("ode").field(VectorField.mlp(8));
    }

    @Test
    void defaultsAreRk4WithFourStepsOnTheUnitInterval() {
        OdeLayer layer = valid().build();
        assertThat(layer.getSolver()).isEqualTo(Solver.RK4);
        assertThat(layer.getStepping()).isEqualTo(Stepping.fixed(4));
        assertThat(layer.getGradientComputation()).isEqualTo(GradientComputation.backprop());
        assertThat(layer.getTimeStart()).isEqualTo(0.0);
        assertThat(layer.getTimeEnd()).isEqualTo(1.0);
    }

    @Test
    void rejectsAMissingField() {
        assertThatThrownBy(() -> new OdeLayer.Builder().name("ode").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OdeLayer 'ode'").hasMessageContaining("field is required");
    }

    @Test
    void rejectsNonPositiveSteps() {
        assertThatThrownBy(() -> valid().steps(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OdeLayer 'ode'").hasMessageContaining("steps must be >= 1, got 0");
        assertThatThrownBy(() -> valid().steps(-3).build()).hasMessageContaining("got -3");
    }

    @Test
    void rejectsEmptyAndReversedTimeSpans() {
        assertThatThrownBy(() -> valid().timeSpan(1, 1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OdeLayer 'ode'").hasMessageContaining("t1 > t0").hasMessageContaining("[1.0, 1.0]");
        assertThatThrownBy(() -> valid().timeSpan(1, 0).build()).hasMessageContaining("[1.0, 0.0]");
        assertThatThrownBy(() -> valid().timeSpan(0, Double.NaN).build()).hasMessageContaining("finite");
    }

    @Test
    void rejectsANullSolver() {
        assertThatThrownBy(() -> valid().solver(null).build()).hasMessageContaining("solver");
    }

    @Test
    void rejectsNonPositiveHiddenWidths() {
        assertThatThrownBy(() -> VectorField.mlp(8, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[8, 0]");
    }

    @Test
    void rejectsSettingTheOutputSize() {
        assertThatThrownBy(() -> valid().nOut(5))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("nOut = 5");
    }

    @Test
    void infersNInAndPassesTheSameSizeOn() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(valid().build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(7))
                .build();
        assertThat(((OdeLayer) conf.getConf(0).getLayer()).getNIn()).isEqualTo(7);
        assertThat(((OdeLayer) conf.getConf(0).getLayer()).getNOut()).isEqualTo(7);
        assertThat(((OutputLayer) conf.getConf(1).getLayer()).getNIn()).isEqualTo(7);
    }

    @Test
    void rejectsAnNInThatContradictsTheInputTypeWhenNInIsNotOverridden() {
        assertThatThrownBy(() -> new NeuralNetConfiguration.Builder().list()
                .layer(valid().nIn(5).build())
                .setInputType(InputType.feedForward(7))
                .overrideNinUponBuild(false)
                .build())
                .isInstanceOf(DL4JException.class)
                .hasMessageContaining("OdeLayer 'ode'").hasMessageContaining("nIn = 5").hasMessageContaining("7");
    }

    @Test
    void rejectsAMissingNInAtInit() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list().layer(valid().build()).build();
        assertThatThrownBy(() -> new MultiLayerNetwork(conf).init())
                .isInstanceOf(DL4JException.class)
                .hasMessageContaining("OdeLayer 'ode'").hasMessageContaining("nIn is not set");
    }

    @Test
    void rejectsInputOfTheWrongShapeNamingTheLayer() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(valid().build()).setInputType(InputType.feedForward(3)).build());
        net.init();
        assertThatThrownBy(() -> net.output(Nd4j.zeros(DataType.FLOAT, 2, 4)))
                .isInstanceOf(DL4JException.class)
                .hasMessageContaining("OdeLayer 'ode'").hasMessageContaining("[minibatch, 3]").hasMessageContaining("[2, 4]");
    }

    @Test
    void fieldWeightsAreWeightsAndFieldBiasesAreBiases() {
        OdeLayer layer = valid().nIn(3).build();
        assertThat(layer.initializer().weightKeys(layer)).containsExactly("W0", "Wt", "W1");
        assertThat(layer.initializer().biasKeys(layer)).containsExactly("b0", "b1");
        // (3 + 1) * 8 + 8 + 8 * 3 + 3
        assertThat(layer.initializer().numParams(layer)).isEqualTo(67);
    }

    @Test
    void globalAndPerLayerUpdatersAndRegularisationApply() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .updater(new Adam(0.01)).l2(0.5).list()
                .layer(new DenseLayer.Builder().nOut(3).build())
                .layer(valid().updater(new Sgd(0.1)).biasUpdater(new Sgd(0.2)).l2Bias(0.25).build())
                .setInputType(InputType.feedForward(4))
                .build();
        OdeLayer ode = (OdeLayer) conf.getConf(1).getLayer();
        assertThat(ode.getUpdaterByParam("W0")).isEqualTo(new Sgd(0.1));
        assertThat(ode.getUpdaterByParam("b0")).isEqualTo(new Sgd(0.2));
        assertThat(ode.getRegularizationByParam("W1")).containsExactly(new L2Regularization(0.5));
        assertThat(ode.getRegularizationByParam("b1")).containsExactly(new L2Regularization(0.25));
        assertThat(conf.getConf(0).getLayer().getUpdaterByParam("W")).isEqualTo(new Adam(0.01));
    }

    @Test
    void l2EntersTheScoreForWeightsOnly() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .list().layer(valid().l2(0.5).biasInit(1.0).build()).setInputType(InputType.feedForward(3)).build());
        net.init();
        org.deeplearning4j.nn.api.Layer layer = net.getLayer(0);
        double expected = 0;
        for (String w : new String[] {"W0", "Wt", "W1"}) {
            expected += 0.5 * 0.5 * layer.getParam(w).norm2Number().doubleValue() * layer.getParam(w).norm2Number().doubleValue();
        }
        assertThat(layer.calcRegularizationScore(true)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(layer.getParam("b0").meanNumber().doubleValue()).isEqualTo(1.0);
    }

    @Test
    void l2OnBiasesAloneEntersTheScore() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .list().layer(valid().l2Bias(0.25).biasInit(1.0).build()).setInputType(InputType.feedForward(3))
                .build());
        net.init();
        org.deeplearning4j.nn.api.Layer layer = net.getLayer(0);
        // b0 [8] and b1 [3], all 1: 0.25 / 2 * 11
        assertThat(layer.calcRegularizationScore(true)).isCloseTo(0.125 * 11, org.assertj.core.data.Offset.offset(1e-9));
        MultiLayerNetwork plain = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .list().layer(valid().build()).setInputType(InputType.feedForward(3)).build());
        plain.init();
        assertThat(plain.getLayer(0).calcRegularizationScore(true)).isZero();
    }

    @Test
    void fieldWeightsTakeTheLayersWeightInit() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(valid().weightInit(new WeightInitDistribution(new ConstantDistribution(0.3))).build())
                .setInputType(InputType.feedForward(3)).build());
        net.init();
        for (String w : new String[] {"W0", "Wt", "W1"}) {
            assertThat(net.getLayer(0).getParam(w).minNumber().doubleValue()).as(w).isEqualTo(0.3, within(1e-7));
            assertThat(net.getLayer(0).getParam(w).maxNumber().doubleValue()).as(w).isEqualTo(0.3, within(1e-7));
        }
        assertThat(net.getLayer(0).getParam("b1").sumNumber().doubleValue()).isEqualTo(0.0);
    }

    @Test
    void zeroInitLastMakesAFreshLayerTheIdentity() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new OdeLayer.Builder().field(VectorField.mlp(8).zeroInitLast(true)).build())
                .setInputType(InputType.feedForward(3)).build());
        net.init();
        var x = Nd4j.rand(DataType.FLOAT, 5, 3);
        assertThat(net.output(x)).isEqualTo(x);
    }

    @Test
    void tolerancesMakeAnEmbeddedPairAdaptive() {
        OdeLayer layer = valid().solver(Solver.DOPRI5).tolerances(1e-5, 1e-7).maxSteps(100).minStep(1e-9).build();
        assertThat(layer.isAdaptive()).isTrue();
        assertThat(layer.getStepping()).isEqualTo(Stepping.adaptive(1e-5, 1e-7, 100, 1e-9));
        assertThat(layer.toString()).contains("rtol=1.0E-5").doesNotContain("steps=4");
        assertThat(valid().solver(Solver.DOPRI5).build().isAdaptive()).isFalse();
    }

    @Test
    void rejectsBadTolerancesAndBudgets() {
        assertThatThrownBy(() -> valid().solver(Solver.DOPRI5).tolerances(0, 1e-6).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OdeLayer 'ode'").hasMessageContaining("rtol = 0.0");
        assertThatThrownBy(() -> valid().solver(Solver.BOSH3).tolerances(1e-6, -1).build()).hasMessageContaining("atol = -1.0");
        assertThatThrownBy(() -> valid().solver(Solver.DOPRI5).tolerances(1e-6, 1e-6).maxSteps(0).build())
                .hasMessageContaining("maxSteps must be >= 1, got 0");
        assertThatThrownBy(() -> valid().solver(Solver.DOPRI5).tolerances(1e-6, 1e-6).minStep(-1).build())
                .hasMessageContaining("minStep").hasMessageContaining("-1.0");
    }

    @Test
    void rejectsTolerancesOnAFixedStepSolverAndStepsOnAnAdaptiveOne() {
        assertThatThrownBy(() -> valid().solver(Solver.RK4).tolerances(1e-6, 1e-6).build())
                .hasMessageContaining("OdeLayer 'ode'").hasMessageContaining("RK4 has no error estimate");
        assertThatThrownBy(() -> valid().solver(Solver.DOPRI5).steps(8).tolerances(1e-6, 1e-6).build())
                .hasMessageContaining("steps(8) and tolerances").hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> valid().maxSteps(10).build()).hasMessageContaining("apply to adaptive solves");
    }

    @Test
    void backpropIsTheDefaultGradientAndTheAdjointTakesItsOwnTolerances() {
        assertThat(valid().build().getGradientMode()).isEqualTo(GradientMode.BACKPROP);
        OdeLayer adaptive = valid().solver(Solver.DOPRI5).tolerances(1e-5, 1e-6).gradient(GradientMode.ADJOINT)
                .build();
        assertThat(adaptive.adjointTolerances()).isEqualTo(new Tolerances(1e-5, 1e-6));
        OdeLayer own = valid().solver(Solver.DOPRI5).tolerances(1e-5, 1e-6).gradient(GradientMode.ADJOINT)
                .adjointTolerances(1e-8, 1e-9).build();
        assertThat(own.adjointTolerances()).isEqualTo(new Tolerances(1e-8, 1e-9));
        assertThat(own.toString()).contains("gradient=ADJOINT(rtol=1.0E-8, atol=1.0E-9)");
    }

    @Test
    void rejectsAdjointTolerancesWithoutAnAdaptiveAdjoint() {
        assertThatThrownBy(() -> valid().gradient(null).build())
                .hasMessageContaining("OdeLayer 'ode'").hasMessageContaining("gradient mode must not be null");
        assertThatThrownBy(() -> valid().solver(Solver.DOPRI5).tolerances(1e-5, 1e-5).adjointTolerances(1e-6, 1e-6)
                .build()).hasMessageContaining("OdeLayer 'ode'").hasMessageContaining("GradientMode.ADJOINT");
        assertThatThrownBy(() -> valid().gradient(GradientMode.ADJOINT).adjointTolerances(1e-6, 1e-6).build())
                .hasMessageContaining("need an adaptive forward solve");
        assertThatThrownBy(() -> valid().solver(Solver.DOPRI5).tolerances(1e-5, 1e-5).gradient(GradientMode.ADJOINT)
                .adjointTolerances(1e-6, 0).build())
                .hasMessageContaining("OdeLayer 'ode': adjoint tolerances").hasMessageContaining("atol = 0.0");
    }
}
