package org.dl4jnode.samediff.field;

import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.Parameterization;
import org.dl4jnode.samediff.runtime.FieldFunction;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The MLP field's last-layer activation: f = act(z_last), computed by hand, and saved fields without it. */
@ExtendWith(DoublePrecision.class)
class MlpFieldTest {

    private static final double T = 0.4;

    /** f(t, h) computed by hand for one hidden layer: act(tanh(h W0 + t Wt + b0) W1 + b1). */
    private static INDArray byHand(Map<String, INDArray> p, INDArray h, Activation output) {
        INDArray hidden = Transforms.tanh(h.mmul(p.get("W0")).addRowVector(p.get("b0"))
                .addRowVector(p.get("Wt").mul(T)));
        INDArray z = hidden.mmul(p.get("W1")).addRowVector(p.get("b1"));
        return output.getActivationFunction().getActivation(z, false);
    }

    @Test
    void theOutputActivationIsAppliedToTheLastLayer() {
        for (Activation output : new Activation[] {Activation.IDENTITY, Activation.SOFTPLUS, Activation.ELU,
                Activation.SIGMOID, Activation.RELU}) {
            MlpField field = MlpField.of(5).outputActivation(output);
            Nd4j.getRandom().setSeed(3);
            Map<String, INDArray> p = new HashMap<>();
            for (ParamSpec spec : field.parameters(3, 3)) {
                p.put(spec.key(), Nd4j.randn(DataType.DOUBLE, spec.shape()));
            }
            FieldFunction f = new FieldFunction(field, Parameterization.DIRECT, new long[] {3}, DataType.DOUBLE);
            f.bind(p);
            INDArray h = Nd4j.randn(DataType.DOUBLE, 7, 3);
            INDArray value = f.evaluate(T, h);
            INDArray expected = byHand(p, h, output);
            for (int i = 0; i < 7; i++) {
                for (int j = 0; j < 3; j++) {
                    assertThat(value.getDouble(i, j)).as("%s", output).isCloseTo(expected.getDouble(i, j),
                            within(1e-12));
                }
            }
            if (output != Activation.IDENTITY && output != Activation.ELU) {
                assertThat(value.minNumber().doubleValue()).as("a non-negative %s field", output)
                        .isGreaterThanOrEqualTo(0);
            }
        }
    }

    @Test
    void aSavedFieldWithoutTheOptionReadsAsLinearAndTheOptionRoundTrips() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        String old = "{\"@class\":\"mlp\",\"hiddenWidths\":[4],\"activation\":\"TANH\",\"timeDependent\":true,\"zeroInitLast\":false}";
        MlpField read = mapper.readValue(old, MlpField.class);
        assertThat(read).isEqualTo(MlpField.of(4));
        assertThat(read.outputActivation()).isEqualTo(Activation.IDENTITY);
        MlpField softplus = MlpField.of(4, 2).outputActivation(Activation.SOFTPLUS);
        MlpField back = mapper.readValue(mapper.writeValueAsString(softplus), MlpField.class);
        assertThat(back).isEqualTo(softplus).hasSameHashCodeAs(softplus).isNotEqualTo(MlpField.of(4, 2));
        assertThat(back.toString()).contains("output SOFTPLUS");
    }

    /** The Jacobian-vector product through the output activation, against central differences of f. */
    @Test
    void theTangentGoesThroughTheOutputActivation() {
        for (Activation output : new Activation[] {Activation.TANH, Activation.SIGMOID, Activation.SOFTPLUS}) {
            MlpField field = MlpField.of(5).outputActivation(output);
            Nd4j.getRandom().setSeed(8);
            Map<String, INDArray> p = new HashMap<>();
            for (ParamSpec spec : field.parameters(3, 3)) {
                p.put(spec.key(), Nd4j.randn(DataType.DOUBLE, spec.shape()));
            }
            INDArray h = Nd4j.randn(DataType.DOUBLE, 4, 3);
            INDArray v = Nd4j.randn(DataType.DOUBLE, 4, 3);
            SameDiff sd = SameDiff.create();
            INDArray tangent = field.defineWithTangent(sd, sd.constant("t", Nd4j.scalar(T)), sd.constant("h", h),
                    sd.constant("v", v), (key, at) -> sd.constant(key, p.get(key))).tangent().eval();
            FieldFunction f = new FieldFunction(field, Parameterization.DIRECT, new long[] {3}, DataType.DOUBLE);
            f.bind(p);
            double eps = 1e-6;
            INDArray central = f.evaluate(T, h.add(v.mul(eps))).sub(f.evaluate(T, h.sub(v.mul(eps)))).divi(2 * eps);
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 3; j++) {
                    assertThat(tangent.getDouble(i, j)).as("%s", output).isCloseTo(central.getDouble(i, j),
                            within(1e-7));
                }
            }
        }
    }

    @Test
    void aJacobianProductNeedsBothActivationsToHaveOne() {
        assertThat(MlpField.of(4).outputActivation(Activation.SOFTPLUS).hasJacobianProduct()).isTrue();
        assertThat(MlpField.of(4).outputActivation(Activation.ELU).hasJacobianProduct()).isFalse();
        assertThat(MlpField.of().outputActivation(Activation.SIGMOID).hasJacobianProduct()).isTrue();
    }
}
