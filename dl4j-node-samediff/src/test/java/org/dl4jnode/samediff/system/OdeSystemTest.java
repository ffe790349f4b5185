package org.dl4jnode.samediff.system;

import org.dl4jnode.samediff.field.MlpField;
import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.Parameterization;
import org.dl4jnode.samediff.regularizer.FlowRegularizer;
import org.dl4jnode.samediff.runtime.FieldFunction;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The structures around a field, checked against their closed forms with an affine field
 * {@code f(t, u) = u W0 + b0 + t Wt} and an affine depth network {@code g(x) = x W0 + b0}.
 */
@ExtendWith(DoublePrecision.class)
class OdeSystemTest {

    private static final double T = 0.6;
    private static final int MB = 5;


    private static Map<String, INDArray> randomParams(List<ParamSpec> specs) {
        Map<String, INDArray> out = new HashMap<>();
        for (ParamSpec p : specs) {
            out.put(p.key(), Nd4j.randn(DataType.DOUBLE, p.shape()).muli(0.5));
        }
        return out;
    }

    private static FieldFunction compile(OdeSystem system, Map<String, INDArray> params) {
        FieldFunction f = new FieldFunction(system, Parameterization.DIRECT, new long[] {system.stateSize()},
                DataType.DOUBLE);
        f.bind(params);
        return f;
    }

    private static INDArray affine(INDArray u, Map<String, INDArray> p, String prefix, INDArray time) {
        INDArray z = u.mmul(p.get(prefix + "W0")).addRowVector(p.get(prefix + "b0"));
        INDArray wt = p.get(prefix + MlpField.TIME_WEIGHT_KEY);
        return wt == null ? z : z.addi(time.mmul(wt));
    }

    @Test
    void secondOrderTakesTheVelocitiesAsTheFirstDerivativesAndTheFieldForTheRest() {
        Nd4j.getRandom().setSeed(1);
        // D = 5 = [q1 q2 q3 | v1 v2]: q1, q2 second order, q3 first order; f outputs dq3, dv1, dv2
        OdeSystem system = OdeSystem.builder(MlpField.of(), 5).secondOrder(2).build();
        assertThat(system.fieldInputSize()).isEqualTo(5);
        assertThat(system.fieldOutputSize()).isEqualTo(3);
        Map<String, INDArray> p = randomParams(system.parameters());
        INDArray z = Nd4j.randn(DataType.DOUBLE, MB, 5);

        INDArray f = affine(z, p, "", Nd4j.valueArrayOf(new long[] {MB, 1}, T));
        INDArray expected = Nd4j.hstack(z.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 5)), f);
        assertThat(compile(system, p).evaluate(T, z).equalsWithEps(expected, 1e-12)).isTrue();
    }

    @Test
    void aDataControlledFieldReadsTheLayerInputAlongsideTheState() {
        Nd4j.getRandom().setSeed(2);
        OdeSystem system = OdeSystem.builder(MlpField.of(), 3).dataControlled(2).build();
        assertThat(system.fieldInputSize()).isEqualTo(5);
        Map<String, INDArray> p = randomParams(system.parameters());
        INDArray z = Nd4j.randn(DataType.DOUBLE, MB, 3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, MB, 2);
        FieldFunction f = compile(system, p);
        f.bindInput(x);

        INDArray expected = affine(Nd4j.hstack(z, x), p, "", Nd4j.valueArrayOf(new long[] {MB, 1}, T));
        assertThat(f.evaluate(T, z).equalsWithEps(expected, 1e-12)).isTrue();
    }

    @Test
    void adaptiveDepthScalesTheFieldAndItsTimeByTheLearnedDepth() {
        Nd4j.getRandom().setSeed(3);
        double t0 = 0.25;
        OdeSystem system = OdeSystem.builder(MlpField.of(), 3)
                .adaptiveDepth(MlpField.of().timeDependent(false), 2, t0).build();
        assertThat(system.parameters()).extracting(ParamSpec::key)
                .containsExactly("W0", "Wt", "b0", "depthW0", "depthb0");
        Map<String, INDArray> p = randomParams(system.parameters());
        INDArray z = Nd4j.randn(DataType.DOUBLE, MB, 3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, MB, 2);
        FieldFunction f = compile(system, p);
        f.bindInput(x);

        INDArray depth = Transforms.abs(affine(x, p, "depth", null).addi(1.0));
        INDArray tau = depth.mul(T - t0).addi(t0);
        INDArray expected = affine(z, p, "", tau).muliColumnVector(depth);
        assertThat(f.evaluate(T, z).equalsWithEps(expected, 1e-12)).isTrue();
    }

    @Test
    void theInputProductMatchesFiniteDifferences() {
        Nd4j.getRandom().setSeed(4);
        OdeSystem system = OdeSystem.builder(MlpField.of(6), 4).secondOrder(2).dataControlled(2)
                .adaptiveDepth(MlpField.of(3).timeDependent(false), 2, 0.0).build();
        Map<String, INDArray> p = randomParams(system.parameters());
        INDArray z = Nd4j.randn(DataType.DOUBLE, MB, 4);
        INDArray x = Nd4j.randn(DataType.DOUBLE, MB, 2);
        INDArray a = Nd4j.randn(DataType.DOUBLE, MB, 4);
        FieldFunction f = compile(system, p);
        f.bindInput(x);
        INDArray analytic = f.vjp(T, z, a).input();
        INDArray numeric = numericProduct(f, z, x, a);
        assertThat(analytic.equalsWithEps(numeric, 1e-6)).as("a^T dF/dx: %s vs %s", analytic, numeric).isTrue();
    }

    @Test
    void integralsRideAlongAsQuadratureChannelsAfterTheState() {
        Nd4j.getRandom().setSeed(5);
        // D = 3 with a control input of 2; state [z, q_kinetic, q_jacobian], constants [x, eps]
        OdeSystem system = OdeSystem.builder(MlpField.of(), 3).dataControlled(2)
                .integrals(List.of(FlowRegularizer.kineticEnergy(1), FlowRegularizer.jacobianFrobenius(1))).build();
        assertThat(system.solveStateSize()).isEqualTo(5);
        assertThat(system.probeSize()).isEqualTo(3);
        assertThat(system.inputSize()).isEqualTo(5);
        Map<String, INDArray> p = randomParams(system.parameters());
        INDArray z = Nd4j.randn(DataType.DOUBLE, MB, 3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, MB, 2);
        INDArray eps = Nd4j.randn(DataType.DOUBLE, MB, 3);
        FieldFunction f = new FieldFunction(system, Parameterization.DIRECT, new long[] {5}, DataType.DOUBLE);
        f.bind(p);
        f.bindInput(Nd4j.hstack(x, eps));

        INDArray rhs = affine(Nd4j.hstack(z, x), p, "", Nd4j.valueArrayOf(new long[] {MB, 1}, T));
        // the field is affine: its Jacobian in z is the rows of W0 that z meets
        INDArray jv = eps.mmul(p.get("W0").get(NDArrayIndex.interval(0, 3), NDArrayIndex.all()));
        INDArray expected = Nd4j.hstack(rhs, rhs.mul(rhs).sum(true, 1), jv.mul(jv).sum(true, 1));
        INDArray quadratures = Nd4j.randn(DataType.DOUBLE, MB, 2);
        INDArray value = f.evaluate(T, Nd4j.hstack(z, quadratures));
        assertThat(value.equalsWithEps(expected, 1e-12)).as("%s vs %s", value, expected).isTrue();
    }

    @Test
    void theProductsOfAnIntegralSystemMatchFiniteDifferences() {
        Nd4j.getRandom().setSeed(6);
        OdeSystem system = OdeSystem.builder(MlpField.of(4), 3).dataControlled(2)
                .integrals(List.of(FlowRegularizer.kineticEnergy(1), FlowRegularizer.jacobianFrobenius(1))).build();
        Map<String, INDArray> p = randomParams(system.parameters());
        INDArray y = Nd4j.randn(DataType.DOUBLE, MB, 5);
        INDArray c = Nd4j.randn(DataType.DOUBLE, MB, 5);
        INDArray a = Nd4j.randn(DataType.DOUBLE, MB, 5);
        FieldFunction f = new FieldFunction(system, Parameterization.DIRECT, new long[] {5}, DataType.DOUBLE);
        f.bind(p);
        f.bindInput(c);
        FieldFunction.Vjp analytic = f.vjp(T, y, a);
        assertThat(analytic.state().equalsWithEps(numericProduct(f, y, y, a), 1e-6)).as("state").isTrue();
        assertThat(analytic.input().equalsWithEps(numericProduct(f, y, c, a), 1e-6))
                .as("constants: %s vs %s", analytic.input(), numericProduct(f, y, c, a)).isTrue();
    }

    /** d<F(T, y), a>/d{@code target} by central differences, {@code target} being y or an array bound to f. */
    private static INDArray numericProduct(FieldFunction f, INDArray y, INDArray target, INDArray a) {
        double eps = 1e-6;
        INDArray numeric = Nd4j.zeros(DataType.DOUBLE, target.shape());
        for (int i = 0; i < target.size(0); i++) {
            for (int j = 0; j < target.size(1); j++) {
                double original = target.getDouble(i, j);
                target.putScalar(i, j, original + eps);
                double plus = f.evaluate(T, y).mul(a).sumNumber().doubleValue();
                target.putScalar(i, j, original - eps);
                double minus = f.evaluate(T, y).mul(a).sumNumber().doubleValue();
                target.putScalar(i, j, original);
                numeric.putScalar(i, j, (plus - minus) / (2 * eps));
            }
        }
        return numeric;
    }

    @Test
    void rejectsASplitThatDoesNotFitTheState() {
        assertThatThrownBy(() -> OdeSystem.builder(MlpField.of(), 5).secondOrder(3).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("p = 3").hasMessageContaining("D = 5");
        assertThatThrownBy(() -> OdeSystem.builder(MlpField.of(), 4).dataControlled(2)
                .adaptiveDepth(MlpField.of(), 3, 0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 and 3");
    }

    @Test
    void adaptiveDepthRefusesDepthVaryingWeights() {
        OdeSystem system = OdeSystem.builder(MlpField.of(), 3).adaptiveDepth(MlpField.of(), 3, 0).build();
        Parameterization galerkin = new org.dl4jnode.samediff.param.GalerkinParameterization(
                org.dl4jnode.samediff.basis.FourierBasis.of(1), 0, 1, 0);
        assertThatThrownBy(() -> new FieldFunction(system, galerkin, new long[] {3}, DataType.DOUBLE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("adaptive depth")
                .hasMessageContaining("per example");
    }

    @Test
    void aFieldThatReadsTheInputRefusesToRunWithoutIt() {
        OdeSystem system = OdeSystem.builder(MlpField.of(), 3).dataControlled(2).build();
        FieldFunction f = compile(system, randomParams(system.parameters()));
        assertThatThrownBy(() -> f.evaluate(0, Nd4j.zeros(DataType.DOUBLE, 1, 3)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("bindInput");
        assertThatThrownBy(() -> f.bindInput(Nd4j.zeros(DataType.DOUBLE, 1, 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[-1, 2]");
    }
}
