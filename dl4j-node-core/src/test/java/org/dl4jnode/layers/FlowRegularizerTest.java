package org.dl4jnode.layers;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.samediff.regularizer.FlowRegularizer;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The penalties' values on dh/dt = A h, where they are known in closed form: A set through the layer's
 * parameters (an affine autonomous field h W0 + b0 with W0 = A^T, b0 = 0) over [0, T].
 */
@ExtendWith(DoublePrecision.class)
class FlowRegularizerTest {

    private static final double T = 1.5;
    private static final double STABILITY = 0.7;
    private static final double KINETIC = 0.5;
    private static final double JACOBIAN = 0.3;

    private static OdeLayer linear(double[][] a, FlowRegularizer... regularizers) {
        MultiLayerNetwork net = OdeLayerNumericsTest.linear(new org.dl4jnode.conf.OdeLayer.Builder()
                .field(VectorField.mlp().timeDependent(false)).solver(Solver.DOPRI5).tolerances(1e-11, 1e-11)
                .timeSpan(0, T).regularizers(regularizers).build());
        net.getLayer(0).setParam("W0", Nd4j.createFromArray(a).transpose());
        return (OdeLayer) net.getLayer(0);
    }

    private static Map<String, Double> trainingPenalties(OdeLayer layer, INDArray x) {
        layer.activate(x, true, LayerWorkspaceMgr.noWorkspaces());
        return layer.lastFlowPenalties();
    }

    /** [[a, -1], [1, a]]: |A v|^2 = (a^2 + 1) |v|^2 for every v, and |h(t)|^2 = e^{2at} |h0|^2. */
    private static double[][] spiral(double a) {
        return new double[][] {{a, -1}, {1, a}};
    }

    @Test
    void onASpiralEveryPenaltyHasItsClosedFormBothSigns() {
        INDArray x = Nd4j.createFromArray(new double[][] {{1, 0.5}, {-0.3, 2}, {0.7, -1.1}});
        double meanSquaredNorm = x.mul(x).sumNumber().doubleValue() / x.size(0);
        for (double a : new double[] {0.4, -0.6}) {
            double gain = a * a + 1;
            Map<String, Double> p = trainingPenalties(linear(spiral(a), FlowRegularizer.finalStateStability(STABILITY),
                    FlowRegularizer.kineticEnergy(KINETIC), FlowRegularizer.jacobianFrobenius(JACOBIAN)), x);
            assertThat(p.get("finalStateStability")).as("a = %s", a)
                    .isCloseTo(STABILITY * gain * Math.exp(2 * a * T) * meanSquaredNorm, within(1e-8));
            assertThat(p.get("kineticEnergy")).as("a = %s", a)
                    .isCloseTo(KINETIC * gain * meanSquaredNorm * (Math.exp(2 * a * T) - 1) / (2 * a), within(1e-8));
            // a Rademacher probe has |eps|^2 = 2 exactly, so Hutchinson's estimate is exact here
            assertThat(p.get("jacobianFrobenius")).as("a = %s", a).isCloseTo(JACOBIAN * 2 * gain * T, within(1e-8));
        }
    }

    @Test
    void theJacobianEstimateIsUnbiasedOnAFieldWhereItIsNotExact() {
        // |A|_F^2 = 0.25 + 4 + 1 = 5.25; one probe gives 5.25 +- 2, so 4,000 examples give it within ~1%
        double[][] a = {{0.5, 2}, {0, -1}};
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 4000, 2);
        double penalty = trainingPenalties(linear(a, FlowRegularizer.jacobianFrobenius(1)), x).get("jacobianFrobenius");
        assertThat(penalty / T).isCloseTo(5.25, within(0.05 * 5.25));
    }

    @Test
    void thePenaltiesEnterTheScoreOfATrainingPassOnly() {
        INDArray x = Nd4j.createFromArray(new double[][] {{1, 0.5}, {-0.3, 2}});
        OdeLayer plain = linear(spiral(0.2));
        OdeLayer regularized = linear(spiral(0.2), FlowRegularizer.kineticEnergy(KINETIC),
                FlowRegularizer.finalStateStability(STABILITY));
        Map<String, Double> p = trainingPenalties(regularized, x);
        plain.activate(x, true, LayerWorkspaceMgr.noWorkspaces());
        assertThat(regularized.calcRegularizationScore(true) - plain.calcRegularizationScore(true))
                .isCloseTo(p.get("kineticEnergy") + p.get("finalStateStability"), within(1e-12)).isPositive();

        INDArray inferred = regularized.activate(x, false, LayerWorkspaceMgr.noWorkspaces());
        assertThat(regularized.lastFlowPenalties()).isEmpty();
        assertThat(regularized.calcRegularizationScore(true)).isEqualTo(plain.calcRegularizationScore(true));
        // the quadratures do not change the output
        assertThat(inferred.equalsWithEps(plain.activate(x, false, LayerWorkspaceMgr.noWorkspaces()), 1e-9)).isTrue();
        assertThat(regularized.activate(x, true, LayerWorkspaceMgr.noWorkspaces()).equalsWithEps(inferred, 1e-9))
                .isTrue();
    }

    @Test
    void aRepeatedPassOfOneIterationSeesTheSameProbeAndTheNextIterationANewOne() {
        double[][] a = {{0.5, 2}, {0, -1}};
        INDArray x = Nd4j.createFromArray(new double[][] {{1, 0.5}, {-0.3, 2}, {0.2, 0.2}});
        OdeLayer layer = linear(a, FlowRegularizer.jacobianFrobenius(1));
        double first = trainingPenalties(layer, x).get("jacobianFrobenius");
        assertThat(trainingPenalties(layer, x).get("jacobianFrobenius")).isEqualTo(first);
        double[] later = new double[4];
        for (int i = 0; i < later.length; i++) {
            layer.setIterationCount(i + 1);
            later[i] = trainingPenalties(layer, x).get("jacobianFrobenius");
        }
        assertThat(java.util.Arrays.stream(later).anyMatch(v -> v != first))
                .as("probes of iterations 1-4 (%s) against iteration 0's (%s)", java.util.Arrays.toString(later), first)
                .isTrue();
    }
}
