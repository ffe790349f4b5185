package org.dl4jnode.conf;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.samediff.basis.ChebyshevBasis;
import org.dl4jnode.samediff.basis.FourierBasis;
import org.dl4jnode.samediff.basis.LegendreBasis;
import org.dl4jnode.samediff.basis.MonomialBasis;
import org.dl4jnode.samediff.basis.PiecewiseConstantBasis;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What GalerkinOdeLayer accepts and rejects, and how its coefficients take part in DL4J's configuration. */
class GalerkinOdeLayerConfigurationTest {

    private static GalerkinOdeLayer.Builder valid() {
        return new GalerkinOdeLayer.Builder().name("gal").field(VectorField.mlp(8)).basis(Basis.fourier(2));
    }

    @Test
    void coefficientsAreWeightsAndBiasesWithTheBasisAxisFirst() {
        GalerkinOdeLayer layer = valid().nIn(3).build();
        assertThat(layer.initializer().paramKeys(layer))
                .containsExactly("W0Coef", "WtCoef", "b0Coef", "W1Coef", "b1Coef");
        assertThat(layer.initializer().weightKeys(layer)).containsExactly("W0Coef", "WtCoef", "W1Coef");
        assertThat(layer.initializer().biasKeys(layer)).containsExactly("b0Coef", "b1Coef");
        // five modes of the 67 parameters of the plain layer
        assertThat(layer.initializer().numParams(layer)).isEqualTo(5 * 67);
    }

    @Test
    void globalAndPerLayerUpdatersAndRegularisationApplyToCoefficients() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .updater(new Adam(0.01)).weightDecay(1e-3).list()
                .layer(new DenseLayer.Builder().nOut(3).build())
                .layer(valid().biasUpdater(new Sgd(0.2)).l2(0.5).build())
                .setInputType(InputType.feedForward(4))
                .build();
        GalerkinOdeLayer gal = (GalerkinOdeLayer) conf.getConf(1).getLayer();
        assertThat(gal.getUpdaterByParam("W0Coef")).isEqualTo(new Adam(0.01));
        assertThat(gal.getUpdaterByParam("b0Coef")).isEqualTo(new Sgd(0.2));
        assertThat(gal.getRegularizationByParam("W1Coef"))
                .containsExactlyInAnyOrder(new L2Regularization(0.5), new WeightDecay(1e-3, true));
        assertThat(gal.getRegularizationByParam("b1Coef")).isEmpty();
    }

    @Test
    void basisFactoriesBuildTheNamedBases() {
        assertThat(Basis.fourier(5)).isEqualTo(FourierBasis.of(5));
        assertThat(Basis.fourier(5).size()).isEqualTo(11);
        assertThat(Basis.chebyshev(3)).isEqualTo(new ChebyshevBasis(3));
        assertThat(Basis.legendre(3)).isEqualTo(new LegendreBasis(3));
        assertThat(Basis.polynomial(2)).isEqualTo(new MonomialBasis(2));
        assertThat(Basis.piecewiseConstant(4)).isEqualTo(new PiecewiseConstantBasis(4));
        assertThat(Basis.parse("fourier:5")).isEqualTo(Basis.fourier(5));
        assertThat(Basis.parse(" Chebyshev:2 ")).isEqualTo(Basis.chebyshev(2));
        assertThat(Basis.parse("piecewiseConstant:3")).isEqualTo(Basis.piecewiseConstant(3));
    }

    @Test
    void rejectsAMissingBasis() {
        assertThatThrownBy(() -> new GalerkinOdeLayer.Builder().name("gal").field(VectorField.mlp(8)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("GalerkinOdeLayer 'gal'").hasMessageContaining("basis is required");
    }

    @Test
    void rejectsNegativeModeCountsAndPeriods() {
        assertThatThrownBy(() -> valid().basis(Basis.fourier(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("harmonics").hasMessageContaining("-1");
        assertThatThrownBy(() -> Basis.chebyshev(-2)).hasMessageContaining("degree must be >= 0, got -2");
        assertThatThrownBy(() -> Basis.piecewiseConstant(0)).hasMessageContaining("intervals must be >= 1, got 0");
        assertThatThrownBy(() -> Basis.fourier(3).period(0.0)).hasMessageContaining("period must be finite and > 0, got 0.0");
        assertThatThrownBy(() -> Basis.fourier(3).period(-1.5)).hasMessageContaining("-1.5");
    }

    @Test
    void rejectsUnknownBasesByName() {
        assertThatThrownBy(() -> Basis.parse("bessel:3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown basis 'bessel'").hasMessageContaining("fourier, chebyshev");
        assertThatThrownBy(() -> Basis.parse("fourier")).hasMessageContaining("expected name:n");
        assertThatThrownBy(() -> Basis.parse("fourier:x")).hasMessageContaining("'x' is not an integer");
        assertThatThrownBy(() -> Basis.parse("fourier:-2")).hasMessageContaining("-2");
    }

    @Test
    void rejectsABadHigherModeScale() {
        assertThatThrownBy(() -> valid().higherModeScale(-0.1).build())
                .hasMessageContaining("GalerkinOdeLayer 'gal'").hasMessageContaining("higherModeScale").hasMessageContaining("-0.1");
        assertThatThrownBy(() -> valid().higherModeScale(Double.NaN).build()).hasMessageContaining("NaN");
    }

    @Test
    void inheritsTheOdeLayerChecks() {
        assertThatThrownBy(() -> valid().steps(0).build()).hasMessageContaining("GalerkinOdeLayer 'gal'")
                .hasMessageContaining("steps must be >= 1, got 0");
        assertThatThrownBy(() -> valid().timeSpan(2, 1).build()).hasMessageContaining("t1 > t0");
    }

    @Test
    void describesItsBasis() {
        assertThat(valid().nIn(3).build().toString()).contains("GalerkinOdeLayer 'gal'").contains("basis=fourier(2)");
    }

    @Test
    void equalityIncludesTheBasis() {
        assertThat(valid().build()).isEqualTo(valid().build()).hasSameHashCodeAs(valid().build());
        assertThat(valid().basis(Basis.fourier(3)).build()).isNotEqualTo(valid().build());
        assertThat(valid().higherModeScale(0.1).build()).isNotEqualTo(valid().build());
    }

    @Test
    void freshLayerInitialisesOnlyTheConstantMode() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .list().layer(valid().biasInit(0.5).build()).setInputType(InputType.feedForward(3)).build());
        net.init();
        var w0 = net.getLayer(0).getParam("W0Coef");
        assertThat(w0.shape()).containsExactly(5, 3, 8);
        assertThat(w0.slice(0).norm2Number().doubleValue()).isPositive();
        for (int j = 1; j < 5; j++) {
            assertThat(w0.slice(j).amaxNumber().doubleValue()).isZero();
            assertThat(net.getLayer(0).getParam("b0Coef").slice(j).amaxNumber().doubleValue()).isZero();
        }
        assertThat(net.getLayer(0).getParam("b0Coef").slice(0).meanNumber().doubleValue()).isEqualTo(0.5);
    }
}
