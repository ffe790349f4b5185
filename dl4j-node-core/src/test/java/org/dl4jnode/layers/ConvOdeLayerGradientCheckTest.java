package org.dl4jnode.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.conf.Augmentation;
import org.dl4jnode.conf.AugmentedOdeLayer;
import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.GalerkinOdeLayer;
import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.conf.OdeLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.samediff.testing.DoublePrecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DL4J's numerical gradient check, in double precision, of ODE layers with a convolutional field:
 * conv stem (1 -> 2 channels on 4x4 images) -> ODE layer -> softmax. Covers the three layers, the
 * Galerkin convolution, zero-channel and second-order augmentation, data control, and 3-layer CNN
 * fields on fixed grids and with DOPRI5 and the adjoint.
 */
@ExtendWith(DoublePrecision.class)
class ConvOdeLayerGradientCheckTest {

    private static final int SIZE = 4;
    private static final int CHANNELS = 2;


    static MultiLayerNetwork network(Layer ode, long seed) {
        MultiLayerConfiguration conf = OdeNetworks.base(DataType.DOUBLE, seed).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(CHANNELS).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.TANH).build())
                .layer(ode)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(OdeNetworks.CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(SIZE, SIZE, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static boolean gradientsAreExact(MultiLayerNetwork net, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray features = Nd4j.rand(DataType.DOUBLE, 3, 1, SIZE, SIZE);
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                .net(net).input(features).labels(OdeNetworks.labels(3, DataType.DOUBLE, seed + 1))
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
    }

    static Stream<Arguments> layers() {
        return Stream.of(
                Arguments.of("OdeLayer", new OdeLayer.Builder().name("ode").field(VectorField.conv(3, 3))
                        .solver(Solver.RK4).steps(2).build()),
                Arguments.of("OdeLayer, autonomous 1x1 field, midpoint", new OdeLayer.Builder().name("ode")
                        .field(VectorField.conv(2, 1).timeDependent(false)).solver(Solver.MIDPOINT).steps(3).build()),
                Arguments.of("OdeLayer, data-controlled", new OdeLayer.Builder().name("ode")
                        .field(VectorField.conv(2, 3)).dataControlled(true).steps(2).build()),
                Arguments.of("AugmentedOdeLayer, zeros(1) channel", new AugmentedOdeLayer.Builder().name("ode")
                        .augmentation(Augmentation.zeros(1)).field(VectorField.conv(2, 3)).steps(2).build()),
                Arguments.of("AugmentedOdeLayer, second order, positions out", new AugmentedOdeLayer.Builder()
                        .name("ode").augmentation(Augmentation.secondOrder()).keepAugmentedDims(false)
                        .field(VectorField.conv(2, 3)).steps(2).build()),
                Arguments.of("OdeLayer, 3-layer CNN field, kernels 1-3-1", new OdeLayer.Builder().name("ode")
                        .field(VectorField.cnn(3, 3, 2).kernels(1, 3, 1)).solver(Solver.RK4).steps(2).build()),
                Arguments.of("OdeLayer, 3-layer autonomous softplus CNN, DOPRI5 and adjoint", new OdeLayer.Builder()
                        .name("ode").field(VectorField.cnn(3, 2, 2).activation(Activation.SOFTPLUS)
                                .timeDependent(false))
                        .solver(Solver.DOPRI5).tolerances(1e-10, 1e-10).gradient(GradientMode.ADJOINT).build()),
                Arguments.of("AugmentedOdeLayer, zeros(1), 3-layer CNN, adjoint", new AugmentedOdeLayer.Builder()
                        .name("ode").augmentation(Augmentation.zeros(1)).field(VectorField.cnn(3, 2, 2)
                                .kernels(1, 3, 1).timeDependent(false))
                        .solver(Solver.DOPRI5).tolerances(1e-10, 1e-10).gradient(GradientMode.ADJOINT).build()),
                Arguments.of("AugmentedOdeLayer, second order, 3-layer CNN", new AugmentedOdeLayer.Builder()
                        .name("ode").augmentation(Augmentation.secondOrder()).field(VectorField.cnn(3, 2, 2)
                                .kernels(1, 3, 1)).steps(2).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void gradientsAreExact(String description, Layer ode) {
        assertThat(gradientsAreExact(network(ode, 42), 7)).as("gradient check of %s", description).isTrue();
    }

    @Test
    void aGalerkinConvolutionHasExactGradients() {
        MultiLayerNetwork net = network(new GalerkinOdeLayer.Builder().name("ode").field(VectorField.conv(2, 3))
                .basis(Basis.fourier(1)).solver(Solver.RK4).steps(2).build(), 42);
        // the higher modes start at zero; move them so that their gradients are tested where they matter
        OdeNetworks.perturb(net.getLayer(1), "W0Coef", 0.3, 5);
        OdeNetworks.perturb(net.getLayer(1), "WtCoef", 0.3, 6);
        OdeNetworks.perturb(net.getLayer(1), "W1Coef", 0.3, 7);
        assertThat(gradientsAreExact(net, 9)).isTrue();
    }

    @Test
    void aGalerkinThreeLayerCnnHasExactGradients() {
        MultiLayerNetwork net = network(new GalerkinOdeLayer.Builder().name("ode")
                .field(VectorField.cnn(3, 2, 2).kernels(1, 3, 1)).basis(Basis.fourier(1)).solver(Solver.RK4).steps(2)
                .build(), 43);
        for (String key : new String[] {"W0Coef", "WtCoef", "W1Coef", "W2Coef", "b2Coef"}) {
            OdeNetworks.perturb(net.getLayer(1), key, 0.3, key.hashCode());
        }
        assertThat(gradientsAreExact(net, 10)).isTrue();
    }
}
