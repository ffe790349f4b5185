package org.dl4jnode.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.Augmentation;
import org.dl4jnode.conf.AugmentedOdeLayer;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the augmentations and the input-reading fields do: closed-form solutions through the layer,
 * the plain layer as the k = 0 case, and seed 002's crossing-trajectories map x -> -x, which a plain
 * ODE cannot learn and the other structures can.
 */
@ExtendWith(DoublePrecision.class)
class AugmentedOdeLayerTest {


    /** A network of just {@code ode} on {@code d} inputs. */
    private static MultiLayerNetwork alone(Layer ode, int d) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.DOUBLE).list().layer(ode).setInputType(InputType.feedForward(d)).build());
        net.init();
        return net;
    }

    @Test
    void trainingLeavesTheShapesOfOtherArraysAlone() {
        // the zero lift once wrote into the array ND4J's shape() hands out, which every array of that shape
        // shares: afterwards a [n, 3] input read as [n, 2]
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .list()
                .layer(new AugmentedOdeLayer.Builder().augmentation(Augmentation.zeros(2)).keepAugmentedDims(false)
                        .field(VectorField.mlp(4)).build())
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(3)).build());
        net.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 3);
        INDArray y = Nd4j.rand(DataType.FLOAT, 8, 3);
        net.fit(x, y);
        net.fit(x, y);
        assertThat(x.shape()).containsExactly(8, 3);
        assertThat(Nd4j.rand(DataType.FLOAT, 8, 3).shape()).containsExactly(8, 3);
    }

    @Test
    void zeroAugmentationWithNoExtraDimsIsThePlainOdeLayer() {
        MultiLayerNetwork plain = OdeNetworks.multiLayerNetwork(new OdeLayer.Builder().field(VectorField.mlp(5))
                .solver(Solver.RK4).steps(3).build(), DataType.DOUBLE, 42);
        MultiLayerNetwork augmented = OdeNetworks.multiLayerNetwork(new AugmentedOdeLayer.Builder()
                .augmentation(Augmentation.zeros(0)).field(VectorField.mlp(5)).solver(Solver.RK4).steps(3).build(),
                DataType.DOUBLE, 42);
        assertThat(augmented.params()).isEqualTo(plain.params());

        for (MultiLayerNetwork net : new MultiLayerNetwork[] {plain, augmented}) {
            net.setInput(OdeNetworks.features(6, DataType.DOUBLE, 1));
            net.setLabels(OdeNetworks.labels(6, DataType.DOUBLE, 2));
            net.computeGradientAndScore();
        }
        assertThat(augmented.score()).isEqualTo(plain.score());
        assertThat(augmented.gradient().gradient()).isEqualTo(plain.gradient().gradient());
    }

    @Test
    void secondOrderSolvesTheHarmonicOscillator() {
        // q'' = -q from q(0) = x, q'(0) = 0: q(t) = x cos t, v(t) = -x sin t; f = [q, v] W0 with W0 = [[-1], [0]]
        MultiLayerNetwork net = alone(new AugmentedOdeLayer.Builder().augmentation(Augmentation.secondOrder())
                .field(VectorField.mlp().timeDependent(false)).solver(Solver.DOPRI5).tolerances(1e-10, 1e-10)
                .timeSpan(0, 2).build(), 1);
        net.getLayer(0).setParam("W0", Nd4j.createFromArray(new double[][] {{-1}, {0}}));
        net.getLayer(0).setParam("b0", Nd4j.zeros(DataType.DOUBLE, 1, 1));
        INDArray x = Nd4j.createFromArray(new double[][] {{1}, {-0.5}});

        INDArray expected = Nd4j.hstack(x.mul(Math.cos(2)), x.mul(-Math.sin(2)));
        assertThat(net.output(x).equalsWithEps(expected, 1e-8)).as("%s vs %s", net.output(x), expected).isTrue();
    }

    @Test
    void aDataControlledFieldCanMapXToMinusX() {
        // f(t, h, x) = -2 x: h(1) = x - 2x = -x, trajectories that a field of h alone could never draw
        MultiLayerNetwork net = alone(new OdeLayer.Builder().field(VectorField.mlp().timeDependent(false))
                .dataControlled(true).solver(Solver.EULER).steps(1).build(), 1);
        net.getLayer(0).setParam("W0", Nd4j.createFromArray(new double[][] {{0}, {-2}}));
        net.getLayer(0).setParam("b0", Nd4j.zeros(DataType.DOUBLE, 1, 1));
        INDArray x = Nd4j.createFromArray(new double[][] {{0.7}, {-0.2}});
        assertThat(net.output(x).equalsWithEps(x.neg(), 1e-12)).isTrue();
    }

    @Test
    void adaptiveDepthIntegratesEachExampleForItsOwnDepth() {
        // dh/dt = -h for T(x) = |1 + 0.5 x|: h = x exp(-T(x)) (an affine depth network, no hidden layer)
        MultiLayerNetwork net = alone(new OdeLayer.Builder().field(VectorField.mlp().timeDependent(false))
                .adaptiveDepth().solver(Solver.DOPRI5).tolerances(1e-10, 1e-10).build(), 1);
        net.getLayer(0).setParam("W0", Nd4j.createFromArray(new double[][] {{-1}}));
        net.getLayer(0).setParam("b0", Nd4j.zeros(DataType.DOUBLE, 1, 1));
        net.getLayer(0).setParam("depthW0", Nd4j.createFromArray(new double[][] {{0.5}}));
        INDArray x = Nd4j.createFromArray(new double[][] {{1}, {-1}, {-4}});

        double[] depth = {1.5, 0.5, 1.0};
        INDArray expected = Nd4j.createFromArray(new double[][] {{Math.exp(-depth[0])}, {-Math.exp(-depth[1])},
                {-4 * Math.exp(-depth[2])}});
        assertThat(net.output(x).equalsWithEps(expected, 1e-8)).as("%s", net.output(x)).isTrue();
    }

    // ---- seed 002's crossing trajectories: x -> -x on [-1, 1] ----

    private static final INDArray X = Nd4j.linspace(-1, 1, 32, DataType.DOUBLE).reshape(32, 1);
    private static final int ITERATIONS = 100;

    /**
     * The smallest MSE of any order-preserving map on X (the flow of an ODE on the line is one): the
     * best non-decreasing fit to the decreasing targets -x is their mean, so it is the variance of x.
     */
    private static final double ORDER_PRESERVING_BOUND = X.var(false).getDouble(0);
    /** Fitted: under 3% of that bound. */
    private static final double FITTED = 0.01;

    /**
     * Trains {@code ode} alone (its output is the prediction), full batch with Adam(0.02), on x -> -x;
     * returns the final MSE.
     */
    private static double crossingMse(Layer ode) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.DOUBLE).updater(new Adam(0.02)).list()
                .layer(ode)
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(1)).build());
        net.init();
        for (int i = 0; i < ITERATIONS; i++) {
            net.fit(X, X.neg());
        }
        INDArray error = net.output(X).addi(X);
        double mse = error.mul(error).meanNumber().doubleValue();
        System.out.printf("x -> -x, %s: MSE %.5f (order-preserving bound %.3f)%n", ode, mse, ORDER_PRESERVING_BOUND);
        return mse;
    }

    @Test
    void aPlainOdeCannotLearnTheCrossingMap() {
        double mse = crossingMse(new OdeLayer.Builder().field(VectorField.mlp(16)).steps(4).build());
        assertThat(mse).isGreaterThan(0.95 * ORDER_PRESERVING_BOUND);
    }

    @Test
    void zeroAugmentationLearnsTheCrossingMap() {
        assertThat(crossingMse(new AugmentedOdeLayer.Builder().augmentation(Augmentation.zeros(1))
                .keepAugmentedDims(false).field(VectorField.mlp(16)).steps(4).build())).isLessThan(FITTED);
    }

    @Test
    void aDataControlledFieldLearnsTheCrossingMapWithoutAugmentation() {
        assertThat(crossingMse(new OdeLayer.Builder().field(VectorField.mlp(16)).dataControlled(true).steps(4)
                .build())).isLessThan(FITTED);
    }

    @Test
    void adaptiveDepthLearnsTheCrossingMapWithoutAugmentation() {
        assertThat(crossingMse(new OdeLayer.Builder().field(VectorField.mlp(16)).adaptiveDepth(8).steps(4)
                .build())).isLessThan(FITTED);
    }
}
