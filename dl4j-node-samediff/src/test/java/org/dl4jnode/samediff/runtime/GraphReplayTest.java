package org.dl4jnode.samediff.runtime;

import org.dl4jnode.samediff.basis.FourierBasis;
import org.dl4jnode.samediff.field.ConvField;
import org.dl4jnode.samediff.field.MlpField;
import org.dl4jnode.samediff.param.GalerkinParameterization;
import org.dl4jnode.samediff.param.ParamSpec;
import org.dl4jnode.samediff.param.Parameterization;
import org.dl4jnode.samediff.system.OdeSystem;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compiled replay of a field's graph computes what SameDiff's session computes, for every kind of
 * field, parameterisation and ODE system, across repeated calls with other points and parameters.
 */
@ExtendWith(DoublePrecision.class)
class GraphReplayTest {

    private static final double EPS = 1e-12;


    static Stream<Arguments> fields() {
        MlpField mlp = MlpField.of(6);
        GalerkinParameterization fourier = new GalerkinParameterization(FourierBasis.of(2), 0, 1, 0.3);
        return Stream.of(
                Arguments.of("mlp", OdeSystem.of(mlp, 4), Parameterization.DIRECT, new long[] {4}, 0),
                Arguments.of("galerkin mlp", OdeSystem.of(mlp, 4), fourier, new long[] {4}, 0),
                Arguments.of("conv", OdeSystem.of(ConvField.of(3, 3), 2), Parameterization.DIRECT,
                        new long[] {2, 5, 4}, 0),
                Arguments.of("galerkin conv", OdeSystem.of(ConvField.of(3, 3), 2), fourier, new long[] {2, 5, 4}, 0),
                Arguments.of("second order", OdeSystem.builder(mlp, 5).secondOrder(2).build(),
                        Parameterization.DIRECT, new long[] {5}, 0),
                Arguments.of("data-controlled", OdeSystem.builder(mlp, 4).dataControlled(3).build(),
                        Parameterization.DIRECT, new long[] {4}, 3),
                Arguments.of("adaptive depth", OdeSystem.builder(mlp, 4).adaptiveDepth(MlpField.of(5), 3, 0).build(),
                        Parameterization.DIRECT, new long[] {4}, 3));
    }

    private static Map<String, INDArray> randomParams(List<ParamSpec> specs) {
        Map<String, INDArray> out = new HashMap<>();
        for (ParamSpec p : specs) {
            out.put(p.key(), Nd4j.randn(DataType.DOUBLE, p.shape()).muli(0.5));
        }
        return out;
    }

    private static long[] batch(int minibatch, long[] featureShape, long features) {
        long[] shape = new long[featureShape.length + 1];
        shape[0] = minibatch;
        System.arraycopy(featureShape, 0, shape, 1, featureShape.length);
        shape[1] = features;
        return shape;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fields")
    void replayAgreesWithTheSession(String name, OdeSystem system, Parameterization parameterization,
                                    long[] stateShape, long inputSize) {
        Nd4j.getRandom().setSeed(11);
        FieldFunction replay = new FieldFunction(system, parameterization, stateShape, DataType.DOUBLE);
        FieldFunction session = sessionOnly(system, parameterization, stateShape, DataType.DOUBLE);
        assertThat(replay.replaysGraph()).as("the graph compiles").isTrue();
        assertThat(session.replaysGraph()).isFalse();

        // two rounds: new parameters, points and minibatch sizes reuse or re-plan the compiled graph
        for (int round = 0; round < 3; round++) {
            int minibatch = round == 1 ? 5 : 3;
            Map<String, INDArray> params = randomParams(replay.trainable());
            replay.bind(params);
            session.bind(params);
            if (inputSize > 0) {
                INDArray x = Nd4j.randn(DataType.DOUBLE, batch(minibatch, stateShape, inputSize));
                replay.bindInput(x);
                session.bindInput(x);
            }
            INDArray h = Nd4j.randn(DataType.DOUBLE, batch(minibatch, stateShape, stateShape[0]));
            INDArray a = Nd4j.randn(DataType.DOUBLE, h.shape());
            double t = 0.2 + 0.3 * round;

            assertThat(replay.evaluate(t, h).equalsWithEps(session.evaluate(t, h), EPS)).as("f").isTrue();
            assertSame(replay.vjp(t, h, a), session.vjp(t, h, a));
            FieldFunction.ValueAndVjp both = replay.evaluateWithVjp(t, h, a);
            assertThat(both.value().equalsWithEps(session.evaluate(t, h), EPS)).isTrue();
            assertSame(both.vjp(), session.vjp(t, h, a));
        }
    }

    /**
     * In float the replay runs other kernels than the session (oneDNN's tanh, products without platform
     * helpers, the gradients of a product as two products): they agree to float's precision.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fields")
    void replayAgreesWithTheSessionInFloat(String name, OdeSystem system, Parameterization parameterization,
                                           long[] stateShape, long inputSize) {
        Nd4j.getRandom().setSeed(13);
        FieldFunction replay = new FieldFunction(system, parameterization, stateShape, DataType.FLOAT);
        FieldFunction session = sessionOnly(system, parameterization, stateShape, DataType.FLOAT);
        Map<String, INDArray> params = new HashMap<>();
        randomParams(replay.trainable()).forEach((k, v) -> params.put(k, v.castTo(DataType.FLOAT)));
        replay.bind(params);
        session.bind(params);
        if (inputSize > 0) {
            INDArray x = Nd4j.randn(DataType.FLOAT, batch(16, stateShape, inputSize));
            replay.bindInput(x);
            session.bindInput(x);
        }
        INDArray h = Nd4j.randn(DataType.FLOAT, batch(16, stateShape, stateShape[0]));
        INDArray a = Nd4j.randn(DataType.FLOAT, h.shape());
        assertRelativelyClose(replay.evaluate(0.4, h), session.evaluate(0.4, h), "f");
        FieldFunction.Vjp actual = replay.vjp(0.4, h, a);
        FieldFunction.Vjp expected = session.vjp(0.4, h, a);
        assertRelativelyClose(actual.state(), expected.state(), "a^T df/dh");
        expected.params().forEach((key, g) -> assertRelativelyClose(actual.params().get(key), g, "a^T df/d" + key));
        if (expected.input() != null) {
            assertRelativelyClose(actual.input(), expected.input(), "a^T df/dx");
        }
    }

    /** The reference the replay is compared with: the same function run through SameDiff's session. */
    private static FieldFunction sessionOnly(OdeSystem system, Parameterization parameterization, long[] stateShape,
                                             DataType type) {
        FieldFunction session = new FieldFunction(system, parameterization, stateShape, type);
        session.useSessionOnly();
        return session;
    }

    /** Largest difference within 1e-5 of the largest magnitude (at least 1). */
    private static void assertRelativelyClose(INDArray actual, INDArray expected, String what) {
        double scale = Math.max(1, expected.amaxNumber().doubleValue());
        double difference = actual.sub(expected).amaxNumber().doubleValue();
        assertThat(difference).as(what).isLessThanOrEqualTo(1e-5 * scale);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fields")
    void aTapeDifferentiatesItsOwnEvaluationsWithoutRecomputingThem(String name, OdeSystem system,
                                                                  Parameterization parameterization,
                                                                  long[] stateShape, long inputSize) {
        Nd4j.getRandom().setSeed(12);
        FieldFunction f = new FieldFunction(system, parameterization, stateShape, DataType.DOUBLE);
        f.bind(randomParams(f.trainable()));
        if (inputSize > 0) {
            f.bindInput(Nd4j.randn(DataType.DOUBLE, batch(2, stateShape, inputSize)));
        }
        INDArray h1 = Nd4j.randn(DataType.DOUBLE, batch(2, stateShape, stateShape[0]));
        INDArray h2 = Nd4j.randn(DataType.DOUBLE, h1.shape());
        INDArray a = Nd4j.randn(DataType.DOUBLE, h1.shape());
        FieldFunction.Vjp expected1 = f.vjp(0.1, h1, a);
        FieldFunction.Vjp expected2 = f.vjp(0.9, h2, a);
        INDArray value1 = f.evaluate(0.1, h1);
        try (EvaluationTape tape = f.tape()) {
            INDArray k1 = tape.evaluate(0.1, h1);
            INDArray k2 = tape.evaluate(0.9, h2);
            assertThat(k1).as("each evaluation keeps its own value").isNotSameAs(k2);
            assertThat(k1.equalsWithEps(value1, EPS)).isTrue();
            f.resetCounts();
            assertSame(tape.vjp(0.9, h2, k2, a), expected2);
            assertSame(tape.vjp(0.1, h1, k1, a), expected1);
            assertThat(f.evaluations()).as("no forward recomputed").isZero();
            assertThat(f.vjpEvaluations()).isEqualTo(2);
            // a slope the tape did not make is differentiated from its point
            assertSame(tape.vjp(0.1, h1, value1, a), expected1);
            assertThat(tape.size()).isEqualTo(2);
        }
    }

    @org.junit.jupiter.api.Test
    void evaluationsAtEverNewStatesHoldNoNativeMemory() throws InterruptedException {
        FieldFunction f = new FieldFunction(MlpField.of(8), Parameterization.DIRECT, new long[] {64}, DataType.FLOAT);
        f.bind(randomParams(f.trainable()).entrySet().stream().collect(java.util.stream.Collectors.toMap(
                Map.Entry::getKey, e -> e.getValue().castTo(DataType.FLOAT))));
        INDArray a = Nd4j.rand(DataType.FLOAT, 512, 64);
        f.vjp(0.5, Nd4j.rand(DataType.FLOAT, 512, 64), a);
        long before = settledPhysicalBytes();
        // 2,000 states of 128 KB: a buffer kept per call would add 250 MB
        for (int i = 0; i < 2000; i++) {
            INDArray h = Nd4j.rand(DataType.FLOAT, 512, 64);
            try (EvaluationTape tape = f.tape()) {
                tape.vjp(0.5, h, tape.evaluate(0.5, h), a);
            }
        }
        long grown = settledPhysicalBytes() - before;
        assertThat(grown).as("resident bytes grown over 2,000 evaluations").isLessThan(96L << 20);
    }

    private static long settledPhysicalBytes() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return org.bytedeco.javacpp.Pointer.physicalBytes();
    }

    private static void assertSame(FieldFunction.Vjp actual, FieldFunction.Vjp expected) {
        assertThat(actual.state().equalsWithEps(expected.state(), EPS)).as("a^T df/dh").isTrue();
        assertThat(actual.params().keySet()).containsExactlyElementsOf(expected.params().keySet());
        expected.params().forEach((key, g) ->
                assertThat(actual.params().get(key).equalsWithEps(g, EPS)).as("a^T df/d" + key).isTrue());
        if (expected.input() == null) {
            assertThat(actual.input()).isNull();
        } else {
            assertThat(actual.input().equalsWithEps(expected.input(), EPS)).as("a^T df/dx").isTrue();
        }
    }
}
