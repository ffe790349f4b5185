package org.dl4jnode.mnist;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jnode.conf.Basis;
import org.dl4jnode.conf.GalerkinOdeLayer;
import org.dl4jnode.conf.OneDnnConvolutionLayer;
import org.dl4jnode.conf.OneDnnSubsamplingLayer;
import org.dl4jnode.conf.Solver;
import org.dl4jnode.conf.VectorField;
import org.dl4jnode.samediff.basis.FunctionBasis;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The MNIST ODE classifiers, as ordinary DL4J configurations around a {@link GalerkinOdeLayer}.
 *
 * <ul>
 *   <li><b>conv</b>: {@code conv 3x3 (1 -> c/2), ReLU, max-pool 2 -> conv 3x3 (c/2 -> c), ReLU, max-pool 2}
 *       (DL4J's layers with their oneDNN helpers: {@link OneDnnConvolutionLayer}, {@link OneDnnSubsamplingLayer})
 *       (a 7x7xc image) {@code -> GalerkinOdeLayer[conv field c -> h -> c, time channel] -> max-pool 2
 *       -> softmax 10}.</li>
 *   <li><b>mlp</b>: {@code dense 784 -> w (identity) -> GalerkinOdeLayer[MLP field w -> h -> w] -> softmax 10},
 *       the "mlp-ode" model of the benchmark with a Galerkin field: quick to train.</li>
 * </ul>
 * Both read images as MnistDataSetIterator gives them, {@code [minibatch, 784]} in [0, 1].
 */
public final class MnistModels {

    /**
     * The model's shape and training options; the CLI's defaults are those of {@link #defaults(Kind)}.
     *
     * @param shift largest random shift of the training images in pixels ({@link RandomShifts}); 0: none
     */
    public record Options(Kind kind, int width, int fieldWidth, int kernel, FunctionBasis basis, Solver solver,
                          int steps, double learningRate, double learningRateDecay, double dropout, int shift,
                          long seed) {

        public Options {
            if (shift < 0 || shift > 4) {
                throw new IllegalArgumentException("MNIST model: shift must be in [0, 4] pixels, got " + shift);
            }
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("MNIST model: dropout must be in [0, 1), got " + dropout);
            }
            if (width < 2 || fieldWidth < 1) {
                throw new IllegalArgumentException("MNIST model: width must be >= 2 and field width >= 1, got " + width
                        + " and " + fieldWidth);
            }
            if (!(learningRate > 0) || !(learningRateDecay > 0 && learningRateDecay <= 1)) {
                throw new IllegalArgumentException("MNIST model: need learning rate > 0 and 0 < decay <= 1, got "
                        + learningRate + " and " + learningRateDecay);
            }
        }
    }

    /** Which classifier. */
    public enum Kind {
        /** Conv stem and a conv field (the accurate one). */
        CONV,
        /** Dense stem and an MLP field (the quick one). */
        MLP
    }

    private MnistModels() {
    }

    /** The models' defaults (the README's figures were measured with these). */
    public static Options defaults(Kind kind) {
        return kind == Kind.CONV
                ? new Options(kind, 32, 32, 3, Basis.fourier(2), Solver.MIDPOINT, 1, 3e-3, 0.5, 0, 1, 123)
                : new Options(kind, 64, 64, 1, Basis.fourier(2), Solver.RK4, 4, 1e-3, 1.0, 0, 0, 123);
    }

    /** Passes over the training set the CLI makes by default: what fits in about 4 minutes here. */
    public static int defaultEpochs(Kind kind) {
        return kind == Kind.CONV ? 6 : 3;
    }

    /**
     * The network's configuration.
     *
     * @param iterationsPerEpoch minibatches per epoch: the learning rate decays by
     *                           {@code learningRateDecay} once per epoch
     */
    public static MultiLayerConfiguration configuration(Options o, int iterationsPerEpoch) {
        return configuration(o, iterationsPerEpoch, true);
    }

    /**
     * The network's configuration, or with {@code withOde} false the same network without its ODE layer
     * (what the speed benchmark subtracts to give the ODE layer's own cost).
     */
    public static MultiLayerConfiguration configuration(Options o, int iterationsPerEpoch, boolean withOde) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(o.seed())
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.RELU)
                .updater(new Adam(new ExponentialSchedule(ScheduleType.ITERATION, o.learningRate(),
                        Math.pow(o.learningRateDecay(), 1.0 / Math.max(1, iterationsPerEpoch)))))
                .list();
        GalerkinOdeLayer.Builder ode = new GalerkinOdeLayer.Builder().name("ode").basis(o.basis())
                .solver(o.solver()).steps(o.steps());
        if (o.kind() == Kind.CONV) {
            list.layer(new OneDnnConvolutionLayer.Builder(3, 3).nOut(o.width() / 2)
                            .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                    .layer(maxPool())
                    .layer(new OneDnnConvolutionLayer.Builder(3, 3).nOut(o.width())
                            .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                    .layer(maxPool());
            if (withOde) {
                list.layer(ode.field(VectorField.conv(o.fieldWidth(), o.kernel())).weightInit(WeightInit.XAVIER)
                        .build());
            }
            list.layer(maxPool());
        } else {
            list.layer(new DenseLayer.Builder().nOut(o.width()).activation(Activation.IDENTITY)
                    .weightInit(WeightInit.XAVIER).build());
            if (withOde) {
                list.layer(ode.field(VectorField.mlp(o.fieldWidth())).weightInit(WeightInit.XAVIER).build());
            }
        }
        OutputLayer.Builder output = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER);
        if (o.dropout() > 0) {
            output.dropOut(1 - o.dropout()); // DL4J takes the probability of keeping an input
        }
        return list.layer(output.build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1))
                .build();
    }

    /** DL4J's convolution and pooling with their oneDNN helpers, which DL4J 1.0.0-M2.1 leaves unused. */
    private static SubsamplingLayer maxPool() {
        return new OneDnnSubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                .build();
    }
}
