package org.dl4jnode.samediff.field;

import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.Parameterization;
import org.dl4jnode.samediff.runtime.FieldFunction;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The conv field against maps computed by hand: per-pixel affine maps, shifts, and finite differences. */
@ExtendWith(DoublePrecision.class)
class ConvFieldTest {

    private static final double T = 0.3;


    private static Map<String, INDArray> randomParams(ConvField field, long channels, long seed) {
        Nd4j.getRandom().setSeed(seed);
        Map<String, INDArray> params = new HashMap<>();
        for (ParamSpec p : field.parameters(channels)) {
            params.put(p.key(), Nd4j.randn(DataType.DOUBLE, p.shape()).muli(0.5));
        }
        return params;
    }

    private static FieldFunction compile(ConvField field, long channels, long height, long width,
                                         Map<String, INDArray> params) {
        FieldFunction f = new FieldFunction(field, Parameterization.DIRECT, new long[] {channels, height, width},
                DataType.DOUBLE);
        f.bind(params);
        return f;
    }

    @Test
    void declaresKernelsInKhKwInOutLayoutWithTheTimeChannel() {
        List<ParamSpec> specs = ConvField.of(8, 3).parameters(4);
        assertThat(specs).extracting(ParamSpec::key).containsExactly("W0", "Wt", "b0", "W1", "b1");
        assertThat(specs.get(0).shape()).containsExactly(3, 3, 4, 8);
        assertThat(specs.get(0).fanIn()).as("the time channel counts in the fan-in").isEqualTo(5 * 9);
        assertThat(specs.get(1).shape()).containsExactly(3, 3, 1, 8);
        assertThat(specs.get(2).shape()).containsExactly(8);
        assertThat(specs.get(3).shape()).containsExactly(3, 3, 8, 4);
        assertThat(ConvField.of(8, 3).timeDependent(false).parameters(4)).extracting(ParamSpec::key)
                .containsExactly("W0", "b0", "W1", "b1");
        assertThat(ConvField.of(8, 3).zeroInitLast(true).parameters(4)).extracting(ParamSpec::zeroInit)
                .containsExactly(false, false, false, true, true);
    }

    @Test
    void aOneByOneKernelIsTheSameAffineMapAtEveryPixel() {
        ConvField field = ConvField.of(5, 1).activation(Activation.IDENTITY);
        Map<String, INDArray> p = randomParams(field, 3, 1);
        INDArray h = Nd4j.randn(DataType.DOUBLE, 2, 3, 4, 6);
        INDArray f = compile(field, 3, 4, 6, p).evaluate(T, h);

        // pixels as rows: [mb*h*w, c]; input channels [h, t]
        INDArray rows = h.permute(0, 2, 3, 1).dup('c').reshape(2 * 4 * 6, 3);
        INDArray in = Nd4j.hstack(rows, Nd4j.valueArrayOf(new long[] {rows.size(0), 1}, T, DataType.DOUBLE));
        INDArray w0 = Nd4j.vstack(p.get("W0").reshape(3, 5), p.get("Wt").reshape(1, 5));
        INDArray hidden = in.mmul(w0).addRowVector(p.get("b0").reshape(1, 5));
        INDArray out = hidden.mmul(p.get("W1").reshape(5, 3)).addRowVector(p.get("b1").reshape(1, 3));
        INDArray expected = out.reshape(2, 4, 6, 3).permute(0, 3, 1, 2);
        assertThat(f.shape()).containsExactly(2, 3, 4, 6);
        assertThat(f.equalsWithEps(expected, 1e-10)).isTrue();
    }

    @Test
    void samePaddingKeepsTheImageSizeAndPadsWithZeros() {
        // one channel, W0 = identity at the centre, W1 = "take the left neighbour": f(h)[i, j] = h[i, j - 1]
        ConvField field = ConvField.of(1, 3).activation(Activation.IDENTITY).timeDependent(false);
        Map<String, INDArray> p = new HashMap<>();
        p.put("W0", Nd4j.zeros(DataType.DOUBLE, 3, 3, 1, 1));
        p.get("W0").putScalar(new long[] {1, 1, 0, 0}, 1.0);
        p.put("b0", Nd4j.zeros(DataType.DOUBLE, 1));
        p.put("W1", Nd4j.zeros(DataType.DOUBLE, 3, 3, 1, 1));
        p.get("W1").putScalar(new long[] {1, 0, 0, 0}, 1.0);
        p.put("b1", Nd4j.zeros(DataType.DOUBLE, 1));
        INDArray h = Nd4j.linspace(1, 20, 20, DataType.DOUBLE).reshape(1, 1, 4, 5);

        INDArray f = compile(field, 1, 4, 5, p).evaluate(T, h);

        INDArray expected = Nd4j.zeros(DataType.DOUBLE, 1, 1, 4, 5);
        expected.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, 5))
                .assign(h.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 4)));
        assertThat(f.equalsWithEps(expected, 1e-12)).isTrue();
    }

    @Test
    void theTimeChannelIsZeroPaddedLikeTheImage() {
        // only the time channel feeds f: f = t * (sum of the kernel taps that land inside the image)
        ConvField field = ConvField.of(1, 3).activation(Activation.IDENTITY);
        Map<String, INDArray> p = new HashMap<>();
        p.put("W0", Nd4j.zeros(DataType.DOUBLE, 3, 3, 1, 1));
        p.put("Wt", Nd4j.ones(DataType.DOUBLE, 3, 3, 1, 1));
        p.put("b0", Nd4j.zeros(DataType.DOUBLE, 1));
        p.put("W1", Nd4j.zeros(DataType.DOUBLE, 3, 3, 1, 1));
        p.get("W1").putScalar(new long[] {1, 1, 0, 0}, 1.0);
        p.put("b1", Nd4j.zeros(DataType.DOUBLE, 1));

        INDArray f = compile(field, 1, 3, 4, p).evaluate(T, Nd4j.randn(DataType.DOUBLE, 2, 1, 3, 4));

        double[][] taps = {{4, 6, 6, 4}, {6, 9, 9, 6}, {4, 6, 6, 4}};
        INDArray expected = Nd4j.create(taps).muli(T).reshape(1, 1, 3, 4).repeat(0, 2);
        assertThat(f.equalsWithEps(expected, 1e-12)).isTrue();
    }

    static Stream<ConvField> fields() {
        return Stream.of(ConvField.of(3, 3), ConvField.cnn(3, 3, 2).kernels(1, 3, 1).activation(Activation.RELU),
                ConvField.cnn(3, 2, 3, 2).timeDependent(false).activation(Activation.SOFTPLUS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fields")
    void vectorJacobianProductsMatchFiniteDifferences(ConvField field) {
        Map<String, INDArray> p = randomParams(field, 2, 2);
        FieldFunction f = compile(field, 2, 4, 4, p);
        INDArray h = Nd4j.randn(DataType.DOUBLE, 2, 2, 4, 4);
        INDArray a = Nd4j.randn(DataType.DOUBLE, 2, 2, 4, 4);
        FieldFunction.Vjp vjp = f.vjp(T, h, a);

        double eps = 1e-6;
        for (long i : new long[] {0, 7, 21, 63}) {
            double numeric = directional(f, p, h, a, h, i, eps);
            assertThat(vjp.state().getDouble(i)).as("dh[%d]", i).isCloseTo(numeric, org.assertj.core.api.Assertions.within(1e-6));
        }
        for (ParamSpec spec : field.parameters(2)) {
            String key = spec.key();
            INDArray w = p.get(key);
            for (long i : new long[] {0, w.length() - 1}) {
                double numeric = directional(f, p, h, a, w, i, eps);
                assertThat(vjp.params().get(key).getDouble(i)).as("d%s[%d]", key, i)
                        .isCloseTo(numeric, org.assertj.core.api.Assertions.within(1e-6));
            }
        }
    }

    /**
     * d/d(x_i) of sum(a * f(T, h)) by central differences, x being h or one of the parameters {@code p}, bound
     * again after each change (the function computes what reads only parameters once per bind).
     */
    private static double directional(FieldFunction f, Map<String, INDArray> p, INDArray h, INDArray a, INDArray x,
                                      long i, double eps) {
        double x0 = x.getDouble(i);
        x.putScalar(i, x0 + eps);
        f.bind(p);
        double plus = f.evaluate(T, h).mul(a).sumNumber().doubleValue();
        x.putScalar(i, x0 - eps);
        f.bind(p);
        double minus = f.evaluate(T, h).mul(a).sumNumber().doubleValue();
        x.putScalar(i, x0);
        f.bind(p);
        return (plus - minus) / (2 * eps);
    }

    @Test
    void aDeeperFieldDeclaresEachConvolutionWithItsKernel() {
        ConvField field = ConvField.cnn(3, 16, 8).kernels(1, 3, 1).zeroInitLast(true);
        List<ParamSpec> specs = field.parameters(6, 3);
        assertThat(specs).extracting(ParamSpec::key).containsExactly("W0", "Wt", "b0", "W1", "b1", "W2", "b2");
        assertThat(specs.get(0).shape()).containsExactly(1, 1, 6, 16);
        assertThat(specs.get(0).fanIn()).as("1x1 kernel, the time channel counted").isEqualTo(7);
        assertThat(specs.get(1).shape()).containsExactly(1, 1, 1, 16);
        assertThat(specs.get(3).shape()).containsExactly(3, 3, 16, 8);
        assertThat(specs.get(3).fanIn()).isEqualTo(16 * 9);
        assertThat(specs.get(3).fanOut()).isEqualTo(8 * 9);
        assertThat(specs.get(5).shape()).containsExactly(1, 1, 8, 3);
        assertThat(specs).extracting(ParamSpec::zeroInit).containsExactly(false, false, false, false, false, true,
                true);
        assertThat(ConvField.cnn(5, 4, 4).kernels()).as("one kernel size serves every convolution")
                .containsExactly(5, 5, 5);
        assertThat(ConvField.cnn(3, 8)).isEqualTo(ConvField.of(8, 3));
    }

    @Test
    void aDeeperFieldIsItsConvolutionsComposedWithTheActivationBetween() {
        // 1x1 kernels: the same 3-layer MLP at every pixel, input channels [h, t]; the last layer stays linear
        ConvField field = ConvField.cnn(1, 4, 5).activation(Activation.TANH);
        Map<String, INDArray> p = randomParams(field, 2, 3);
        INDArray h = Nd4j.randn(DataType.DOUBLE, 2, 2, 3, 4);
        INDArray f = compile(field, 2, 3, 4, p).evaluate(T, h);

        INDArray rows = h.permute(0, 2, 3, 1).dup('c').reshape(2 * 3 * 4, 2);
        INDArray in = Nd4j.hstack(rows, Nd4j.valueArrayOf(new long[] {rows.size(0), 1}, T, DataType.DOUBLE));
        INDArray w0 = Nd4j.vstack(p.get("W0").reshape(2, 4), p.get("Wt").reshape(1, 4));
        INDArray z1 = Transforms.tanh(in.mmul(w0).addRowVector(p.get("b0").reshape(1, 4)));
        INDArray z2 = Transforms.tanh(z1.mmul(p.get("W1").reshape(4, 5)).addRowVector(p.get("b1").reshape(1, 5)));
        INDArray out = z2.mmul(p.get("W2").reshape(5, 2)).addRowVector(p.get("b2").reshape(1, 2));
        INDArray expected = out.reshape(2, 3, 4, 2).permute(0, 3, 1, 2);
        assertThat(f.equalsWithEps(expected, 1e-10)).isTrue();
    }

    @Test
    void rejectsEvenKernelsAndEmptyLayers() {
        assertThatThrownBy(() -> ConvField.of(8, 4)).hasMessageContaining("kernel sizes must be odd")
                .hasMessageContaining("[4]");
        assertThatThrownBy(() -> ConvField.of(0, 3)).hasMessageContaining("hidden channels must be >= 1, got [0]");
        assertThatThrownBy(() -> ConvField.cnn(3)).hasMessageContaining("at least one hidden layer");
        assertThatThrownBy(() -> ConvField.cnn(3, 8, 8).kernels(1, 3))
                .hasMessageContaining("one kernel size, or one per convolution (3), got [1, 3]");
        assertThatThrownBy(() -> ConvField.cnn(3, 8, 8).kernels(1, 2, 1)).hasMessageContaining("[1, 2, 1]");
    }
}
