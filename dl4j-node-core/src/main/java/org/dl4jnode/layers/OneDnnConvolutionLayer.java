package org.dl4jnode.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runtime of {@link org.dl4jnode.conf.OneDnnConvolutionLayer}: DL4J's convolution layer with its oneDNN helper
 * set, on the CPU backend, where DL4J 1.0.0-M2.1 leaves it unset (see the configuration class).
 *
 * <p>With the helper, DL4J's backward pass computes the convolution a second time to get the pre-activation z
 * its activation's derivative reads (the helper's forward pass keeps nothing). For ReLU and the identity that
 * derivative is the same function of the layer's output (z > 0 exactly where relu(z) > 0), so this layer keeps
 * the output of its last training forward pass and hands it to the backward pass in z's place: one convolution
 * less per training step (11% of the MNIST stem's training time). For ReLU the derivative itself is computed
 * here too, as {@code epsilon * sign(output)} in two vectorised passes, and handed to the helper: libnd4j's
 * {@code relu_bp}, which DL4J's ReLU calls, runs a per-element function object, 4.3-5.8 ms against 0.9-1.0 ms
 * on a {@code [64, 16, 28, 28]} float batch. A ReLU layer with one input channel, stride 1 and no dilation
 * then computes its gradients itself, without oneDNN's slow backward pass for one input channel
 * ({@link SingleChannelConvolutionBackward}). Other activations, weight noise, NHWC layers and layers without
 * bias take DL4J's path unchanged, and so does a backward pass the helper declines.
 */
public class OneDnnConvolutionLayer extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {

    private static final long serialVersionUID = 1L;
    private static final IActivation RELU = new ActivationReLU();

    /** The output of the last training forward pass, and the input it was computed from; null when none. */
    private transient INDArray trainingOutput;
    private transient INDArray trainingInput;

    public OneDnnConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        if (helper == null && OneDnn.available()) {
            helper = new MKLDNNConvHelper(dataType);
        }
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray output = super.activate(training, workspaceMgr);
        boolean keep = training && outputServesAsPreOutput();
        trainingOutput = keep ? output : null;
        trainingInput = keep ? input : null;
        return output;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!keptOutputIsCurrent() || !RELU.equals(layerConf().getActivationFn()) || !hasBias()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer conf = layerConf();
        INDArray in = input.dataType() == dataType ? input : input.castTo(dataType);
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
        INDArray bias = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, true, workspaceMgr);
        int[] kernel = conf.getKernelSize();
        int[] strides = conf.getStride();
        int[] dilation = conf.getDilation();
        int[] pad = conf.getPadding();
        if (convolutionMode == ConvolutionMode.Same) {
            int[] outSize = ConvolutionUtils.getOutputSize(in, kernel, strides, null, convolutionMode, dilation,
                    CNN2DFormat.NCHW);
            pad = ConvolutionUtils.getSameModeTopLeftPadding(outSize, new int[] {(int) in.size(2), (int) in.size(3)},
                    kernel, strides, dilation);
        }
        // ReLU's derivative: epsilon where the output is positive (the output is never negative), else 0
        INDArray delta = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, epsilon.dataType(),
                epsilon.shape(), 'c');
        Nd4j.exec(new Sign(trainingOutput, delta));
        delta.muli(epsilon);
        INDArray biasGradient = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
        INDArray weightGradient = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        if (SingleChannelConvolutionBackward.appliesTo(in, delta, kernel, strides, dilation, pad)) {
            INDArray inputGradient = SingleChannelConvolutionBackward.backward(in, weights, delta, kernel, pad,
                    weightGradient, biasGradient, workspaceMgr);
            Gradient gradient = new DefaultGradient();
            gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, biasGradient);
            gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGradient, 'c');
            return new Pair<>(gradient, backpropDropOutIfPresent(inputGradient));
        }
        Pair<Gradient, INDArray> result;
        try {
            result = helper.backpropGradient(in, weights, bias, delta, kernel, strides, pad, biasGradient,
                    weightGradient, conf.getActivationFn(),
                    conf.getCudnnAlgoMode(), conf.getCudnnBwdFilterAlgo(), conf.getCudnnBwdDataAlgo(),
                    convolutionMode, dilation, CNN2DFormat.NCHW, workspaceMgr);
        } catch (RuntimeException e) {
            result = null; // DL4J's own path below retries the helper and applies its fallback policy
        }
        if (result == null) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        result.setSecond(backpropDropOutIfPresent(result.getSecond()));
        return result;
    }

    @Override
    protected Pair<INDArray, INDArray> preOutput4d(boolean training, boolean forBackprop,
                                                   LayerWorkspaceMgr workspaceMgr) {
        // the kept output stands for z only while the input is the one it was computed from
        if (forBackprop && keptOutputIsCurrent()) {
            return new Pair<>(trainingOutput, null);
        }
        return super.preOutput4d(training, forBackprop, workspaceMgr);
    }

    @Override
    public void clear() {
        super.clear();
        trainingOutput = null;
        trainingInput = null;
    }

    /** True when the kept output is that of the current input (it is kept only where it can stand for z). */
    private boolean keptOutputIsCurrent() {
        return trainingOutput != null && trainingInput == input;
    }

    /** True when the activation's derivative reads the same from the output as from z, and the helper runs. */
    private boolean outputServesAsPreOutput() {
        IActivation activation = layerConf().getActivationFn();
        return helper != null && layerConf().getWeightNoise() == null
                && layerConf().getCnn2dDataFormat() == CNN2DFormat.NCHW
                && (activation instanceof ActivationIdentity || RELU.equals(activation));
    }
}
