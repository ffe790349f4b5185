package org.dl4jnode.layers;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.GalerkinOdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.samediff.basis.FunctionBasis;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A GalerkinOdeLayer against an OdeLayer, and its depth-varying weights read back. */
@ExtendWith(DoublePrecision.class)
class GalerkinOdeLayerTest {

    private static final double T0 = 0.0;
    private static final double T1 = 1.5;


    private static org.dl4jnode.conf.OdeLayer plain() {
        return new org.dl4jnode.conf.OdeLayer.Builder().name("ode").field(VectorField.mlp(5))
                .solver(Solver.DOPRI5).steps(3).timeSpan(T0, T1).build();
    }

    private static GalerkinOdeLayer galerkin(FunctionBasis basis, double higherModeScale) {
        return new GalerkinOdeLayer.Builder().name("ode").field(VectorField.mlp(5)).basis(basis)
                .higherModeScale(higherModeScale).solver(Solver.DOPRI5).steps(3).timeSpan(T0, T1).build();
    }

    /** Bases with a single (constant) function. */
    static Stream<FunctionBasis> constantOnlyBases() {
        return Stream.of(Basis.fourier(0), Basis.chebyshev(0), Basis.legendre(0), Basis.polynomial(0),
                Basis.piecewiseConstant(1));
    }

    @ParameterizedTest
    @MethodSource("constantOnlyBases")
    void withOnlyTheConstantModeOutputsAndGradientsEqualAnOdeLayersWithCopiedParameters(FunctionBasis basis) {
        MultiLayerNetwork gal = OdeNetworks.multiLayerNetwork(galerkin(basis, 0.0), DataType.DOUBLE, 3);
        MultiLayerNetwork ode = OdeNetworks.multiLayerNetwork(plain(), DataType.DOUBLE, 99);
        ode.getLayer(0).setParams(gal.getLayer(0).params());
        ode.getLayer(2).setParams(gal.getLayer(2).params());
        for (String key : ode.getLayer(1).paramTable().keySet()) {
            INDArray c = gal.getLayer(1).getParam(key + "Coef");
            ode.getLayer(1).setParam(key, c.reshape(ode.getLayer(1).getParam(key).shape()));
        }
        INDArray x = OdeNetworks.features(6, DataType.DOUBLE, 5);
        INDArray y = OdeNetworks.labels(6, DataType.DOUBLE, 6);

        assertThat(gal.output(x).equalsWithEps(ode.output(x), 1e-10)).isTrue();
        Gradient gg = gradient(gal, x, y);
        Gradient og = gradient(ode, x, y);
        for (Map.Entry<String, INDArray> e : og.gradientForVariable().entrySet()) {
            String key = e.getKey().startsWith("1_") ? e.getKey() + "Coef" : e.getKey();
            INDArray expected = e.getValue();
            INDArray actual = gg.getGradientFor(key).reshape(expected.shape());
            assertThat(actual.equalsWithEps(expected, 1e-10)).as("gradient %s", key).isTrue();
        }
        assertThat(gal.score()).isCloseTo(ode.score(), org.assertj.core.data.Offset.offset(1e-12));
    }

    private static Gradient gradient(MultiLayerNetwork net, INDArray x, INDArray y) {
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        return net.gradient();
    }

    @Test
    void aFreshLayerEqualsAnOdeLayerInitialisedFromTheSameSeed() {
        MultiLayerNetwork gal = OdeNetworks.multiLayerNetwork(galerkin(Basis.fourier(5), 0.0), DataType.DOUBLE, 8);
        MultiLayerNetwork ode = OdeNetworks.multiLayerNetwork(plain(), DataType.DOUBLE, 8);
        INDArray x = OdeNetworks.features(6, DataType.DOUBLE, 5);
        assertThat(gal.output(x).equalsWithEps(ode.output(x), 1e-12)).isTrue();
        for (String key : ode.getLayer(1).paramTable().keySet()) {
            assertThat(gal.getLayer(1).getParam(key + "Coef").slice(0)).as(key).isEqualTo(ode.getLayer(1).getParam(key));
        }
    }

    @Test
    void higherModesMakeTheLayerDepthVarying() {
        MultiLayerNetwork gal = OdeNetworks.multiLayerNetwork(galerkin(Basis.fourier(2), 0.5), DataType.DOUBLE, 8);
        MultiLayerNetwork ode = OdeNetworks.multiLayerNetwork(plain(), DataType.DOUBLE, 8);
        INDArray x = OdeNetworks.features(6, DataType.DOUBLE, 5);
        assertThat(gal.output(x).equalsWithEps(ode.output(x), 1e-3)).isFalse();
        OdeLayer layer = (OdeLayer) gal.getLayer(1);
        assertThat(layer.weightsAt(0.2).get("W0").equalsWithEps(layer.weightsAt(0.9).get("W0"), 1e-6)).isFalse();
    }

    @Test
    void weightsAtAreTheSumOfModesAtThatDepth() {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(galerkin(Basis.fourier(2), 1.0), DataType.DOUBLE, 4);
        OdeLayer layer = (OdeLayer) net.getLayer(1);
        double w = 2 * Math.PI / (T1 - T0);
        for (double t : new double[] {0.0, 0.4, 1.1, 1.5}) {
            double[] psi = {1, Math.cos(w * t), Math.cos(2 * w * t), Math.sin(w * t), Math.sin(2 * w * t)};
            Map<String, INDArray> weights = layer.weightsAt(t);
            assertThat(weights.keySet()).containsExactly("W0", "Wt", "b0", "W1", "b1");
            weights.forEach((key, value) -> {
                INDArray c = layer.getParam(key + "Coef");
                INDArray expected = c.slice(0).mul(psi[0]);
                for (int j = 1; j < psi.length; j++) {
                    expected.addi(c.slice(j).mul(psi[j]));
                }
                assertThat(value.equalsWithEps(expected, 1e-12)).as("%s(%s)", key, t).isTrue();
            });
        }
    }

    @Test
    void stackedModelUsesEachIntervalsOwnWeights() {
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(galerkin(Basis.piecewiseConstant(3), 0.0), DataType.DOUBLE, 4);
        OdeLayer layer = (OdeLayer) net.getLayer(1);
        INDArray c = layer.getParam("W1Coef");
        c.slice(1).addi(1.0);
        c.slice(2).addi(2.0);
        // intervals [0, 0.5), [0.5, 1.0), [1.0, 1.5]
        assertThat(layer.weightsAt(0.25).get("W1")).isEqualTo(c.slice(0));
        assertThat(layer.weightsAt(0.75).get("W1")).isEqualTo(c.slice(1));
        assertThat(layer.weightsAt(1.5).get("W1")).isEqualTo(c.slice(2));
    }

    @Test
    void fitTrainsEveryModeAndLowersTheLoss() {
        GalerkinOdeLayer layer = new GalerkinOdeLayer.Builder().field(VectorField.mlp(8)).basis(Basis.fourier(2))
                .steps(2).updater(new org.nd4j.linalg.learning.config.Adam(0.05)).build();
        MultiLayerNetwork net = OdeNetworks.multiLayerNetwork(layer, DataType.FLOAT, 3);
        org.nd4j.linalg.dataset.DataSet batch = new org.nd4j.linalg.dataset.DataSet(
                OdeNetworks.features(32, DataType.FLOAT, 5), OdeNetworks.labels(32, DataType.FLOAT, 6));
        double before = net.score(batch);
        for (int i = 0; i < 40; i++) {
            net.fit(batch);
        }
        assertThat(net.score(batch)).isLessThan(before * 0.8);
        INDArray w0 = net.getLayer(1).getParam("W0Coef");
        for (int j = 1; j < 5; j++) {
            assertThat(w0.slice(j).amaxNumber().doubleValue()).as("mode %d moved from zero", j).isGreaterThan(1e-3);
        }
    }
}
