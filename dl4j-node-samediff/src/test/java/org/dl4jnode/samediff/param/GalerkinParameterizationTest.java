package org.dl4jnode.samediff.param;

import org.dl4jnode.samediff.basis.ChebyshevBasis;
import org.dl4jnode.samediff.basis.FourierBasis;
import org.dl4jnode.samediff.basis.PiecewiseConstantBasis;
import org.dl4jnode.samediff.field.MlpField;
import org.dl4jnode.samediff.runtime.FieldFunction;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** W(t) = sum_j C_j psi_j(t), checked against sums computed here, and its chain rule. */
@ExtendWith(DoublePrecision.class)
class GalerkinParameterizationTest {

    private static final MlpField FIELD = MlpField.of(4);
    private static final int HARMONICS = 2;
    private static final double T0 = 0.0;
    private static final double T1 = 2.0;


    private static GalerkinParameterization fourier() {
        return new GalerkinParameterization(FourierBasis.of(HARMONICS), T0, T1, 0.0);
    }

    /** psi(t) of fourier(2) on [0, 2], written out by hand. */
    private static double[] psi(double t) {
        double w = 2 * Math.PI / (T1 - T0);
        return new double[] {1, Math.cos(w * t), Math.cos(2 * w * t), Math.sin(w * t), Math.sin(2 * w * t)};
    }

    private static Map<String, INDArray> randomCoefficients(List<ParamSpec> specs) {
        Nd4j.getRandom().setSeed(11);
        Map<String, INDArray> c = new LinkedHashMap<>();
        specs.forEach(p -> c.put(p.key(), Nd4j.randn(DataType.DOUBLE, p.shape())));
        return c;
    }

    private static INDArray sumOfModes(INDArray coefficients, double[] psi) {
        INDArray w = coefficients.slice(0).mul(psi[0]);
        for (int j = 1; j < psi.length; j++) {
            w.addi(coefficients.slice(j).mul(psi[j]));
        }
        return w;
    }

    @Test
    void coefficientArraysHaveTheBasisAxisFirstAndKeepWeightAndBiasRoles() {
        List<ParamSpec> field = FIELD.parameters(3);
        List<ParamSpec> coef = fourier().trainable(field);
        assertThat(coef).extracting(ParamSpec::key).containsExactly("W0Coef", "WtCoef", "b0Coef", "W1Coef", "b1Coef");
        for (int i = 0; i < field.size(); i++) {
            long[] s = field.get(i).shape();
            assertThat(coef.get(i).shape()).containsExactly(5, s[0], s[1]);
            assertThat(coef.get(i).bias()).isEqualTo(field.get(i).bias());
            assertThat(coef.get(i).fanIn()).isEqualTo(field.get(i).fanIn());
        }
    }

    @Test
    void reconstructedWeightsAreTheSumOfModesAtEveryTime() {
        FieldFunction f = new FieldFunction(FIELD, fourier(), new long[] {3}, DataType.DOUBLE);
        Map<String, INDArray> c = randomCoefficients(f.trainable());
        f.bind(c);
        for (double t : new double[] {0.0, 0.3, 1.0, 1.75, 2.0}) {
            Map<String, INDArray> w = f.fieldParameters(t);
            assertThat(w.keySet()).containsExactlyInAnyOrder("W0", "Wt", "b0", "W1", "b1");
            w.forEach((key, value) -> assertThat(value.equalsWithEps(sumOfModes(c.get(key + "Coef"), psi(t)), 1e-12))
                    .as("%s(%s)", key, t).isTrue());
        }
    }

    @Test
    void fieldAndProductsEqualAPlainFieldWithTheReconstructedWeights() {
        FieldFunction galerkin = new FieldFunction(FIELD, fourier(), new long[] {3}, DataType.DOUBLE);
        Map<String, INDArray> c = randomCoefficients(galerkin.trainable());
        galerkin.bind(c);
        double t = 0.7;
        FieldFunction plain = new FieldFunction(FIELD, Parameterization.DIRECT, new long[] {3}, DataType.DOUBLE);
        plain.bind(galerkin.fieldParameters(t));
        INDArray h = Nd4j.randn(DataType.DOUBLE, 5, 3);
        INDArray a = Nd4j.randn(DataType.DOUBLE, 5, 3);

        assertThat(galerkin.evaluate(t, h).equalsWithEps(plain.evaluate(t, h), 1e-12)).isTrue();
        FieldFunction.Vjp g = galerkin.vjp(t, h, a);
        FieldFunction.Vjp p = plain.vjp(t, h, a);
        assertThat(g.state().equalsWithEps(p.state(), 1e-12)).isTrue();
        // chain rule through the contraction: dL/dC_j = psi_j(t) dL/dW
        double[] psi = psi(t);
        p.params().forEach((key, dw) -> {
            INDArray dc = g.params().get(key + "Coef");
            for (int j = 0; j < psi.length; j++) {
                assertThat(dc.slice(j).equalsWithEps(dw.mul(psi[j]), 1e-12)).as("d%sCoef[%d]", key, j).isTrue();
            }
        });
    }

    private static Map<String, INDArray> initialise(GalerkinParameterization g) {
        List<ParamSpec> field = FIELD.parameters(3);
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        g.trainable(field).forEach(p -> arrays.put(p.key(), Nd4j.create(DataType.DOUBLE, p.shape(), 'f')));
        double[] next = {1};
        // a deterministic "ordinary init": the k-th array drawn is filled with k
        g.initialize(field, arrays, (p, array) -> array.assign(next[0]++));
        return arrays;
    }

    @Test
    void initialisationPutsTheOrdinaryDrawInTheConstantModeAndZerosElsewhere() {
        Map<String, INDArray> c = initialise(fourier());
        double expected = 1;
        for (INDArray coefficients : c.values()) {
            assertThat(coefficients.slice(0).minNumber().doubleValue()).isEqualTo(expected);
            assertThat(coefficients.slice(0).maxNumber().doubleValue()).isEqualTo(expected++);
            for (int j = 1; j < 5; j++) {
                assertThat(coefficients.slice(j).amaxNumber().doubleValue()).isZero();
            }
        }
    }

    @Test
    void higherModesCanStartFromAScaledOrdinaryDraw() {
        Map<String, INDArray> c = initialise(new GalerkinParameterization(new ChebyshevBasis(2), T0, T1, 0.5));
        // per parameter: constant draw, then one draw per higher mode, scaled
        INDArray w0 = c.get("W0Coef");
        assertThat(w0.slice(0).meanNumber().doubleValue()).isEqualTo(1.0);
        assertThat(w0.slice(1).meanNumber().doubleValue()).isEqualTo(1.0);
        assertThat(w0.slice(2).meanNumber().doubleValue()).isEqualTo(1.5);
    }

    @Test
    void theStackedModelStartsEveryBlockFromTheSameWeights() {
        Map<String, INDArray> c = initialise(new GalerkinParameterization(new PiecewiseConstantBasis(3), T0, T1, 0));
        for (INDArray coefficients : c.values()) {
            assertThat(coefficients.slice(1)).isEqualTo(coefficients.slice(0));
            assertThat(coefficients.slice(2)).isEqualTo(coefficients.slice(0));
        }
    }

    @Test
    void rejectsABadSpanOrScale() {
        assertThatThrownBy(() -> new GalerkinParameterization(FourierBasis.of(1), 1, 1, 0))
                .hasMessageContaining("t1 > t0");
        assertThatThrownBy(() -> new GalerkinParameterization(FourierBasis.of(1), 0, 1, -1))
                .hasMessageContaining("-1.0");
    }
}
