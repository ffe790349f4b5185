package org.dl4jnode.layers;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The backward pass of a convolution with one input channel, stride 1 and no dilation (the first layer of a
 * network on grayscale images) without libnd4j's {@code conv2d_bp}, on NCHW arrays with DL4J's
 * {@code [nOut, 1, kH, kW]} weights:
 * <ul>
 *   <li>the weight gradient {@code dW[o, 0, a, b] = sum_n sum_p x[n, 0, p + (a, b) - pad] delta[n, o, p]} is a
 *       forward convolution of the input, read as one image of {@code minibatch} channels, with {@code delta},
 *       read as {@code nOut} kernels of {@code minibatch} channels and the output's size;</li>
 *   <li>the input gradient is {@code W^T delta}, one {@code [taps, nOut] x [nOut, oH oW]} product per example
 *       (a batched matrix product), whose tap planes {@code col2im} adds into the image at their offsets;</li>
 *   <li>the bias gradient is {@code delta} summed over the minibatch and the image.</li>
 * </ul>
 * Why: oneDNN's backward pass for one input channel is slow, its forward convolution is not. On the MNIST stem's
 * first layer ({@code [64, 1, 28, 28]} to 16 channels, 3x3) a training step of the stem went from 46.0 to 41.8 ms
 * and from 38.8 to 34.0 ms (medians of 12 interleaved rounds of 20 steps) with the input gradient as a second
 * forward convolution (of {@code delta} with the flipped kernels); the product and {@code col2im} instead took
 * 2.4-3.1 ms against that convolution's 3.2-4.6 ms alone, about 1 ms less per stem step in place by the fastest
 * rounds.
 */
final class SingleChannelConvolutionBackward {

    private SingleChannelConvolutionBackward() {
    }

    /**
     * True when these ops give the convolution's gradients: one input channel, stride 1, no dilation, and
     * padding ({@code pad}: top and left, as the layer computed it) the same on both sides of each axis, which
     * {@code delta}'s size {@code H + 2 pad - k + 1} shows.
     *
     * @param input  {@code [minibatch, channels, H, W]}
     * @param delta  the gradient of the pre-activation, {@code [minibatch, nOut, oH, oW]}
     */
    static boolean appliesTo(INDArray input, INDArray delta, int[] kernel, int[] strides, int[] dilation, int[] pad) {
        if (input.rank() != 4 || input.size(1) != 1 || delta.rank() != 4) {
            return false;
        }
        for (int axis = 0; axis < 2; axis++) {
            if (strides[axis] != 1 || dilation[axis] != 1 || pad[axis] < 0
                    || delta.size(2 + axis) != input.size(2 + axis) + 2L * pad[axis] - kernel[axis] + 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes the weight and bias gradients into their views and returns the input gradient, in {@code mgr}'s
     * activation-gradient workspace. Call only where {@link #appliesTo} holds.
     *
     * @param weights        {@code [nOut, 1, kH, kW]}
     * @param weightGradient {@code [nOut, 1, kH, kW]}, written
     * @param biasGradient   {@code nOut} elements, written
     * @return {@code [minibatch, 1, H, W]}
     */
    static INDArray backward(INDArray input, INDArray weights, INDArray delta, int[] kernel, int[] pad,
                             INDArray weightGradient, INDArray biasGradient, LayerWorkspaceMgr mgr) {
        weightGradient.assign(weightGradient(input, delta, kernel, pad, mgr).reshape('c', weightGradient.shape()));
        biasGradient.assign(delta.sum(0, 2, 3).reshape('c', biasGradient.shape()));
        return inputGradient(input, weights, delta, kernel, pad, mgr);
    }

    /** {@code [1, nOut, kH, kW]}: the input as one image of minibatch channels, convolved with delta as kernels. */
    private static INDArray weightGradient(INDArray input, INDArray delta, int[] kernel, int[] pad,
                                           LayerWorkspaceMgr mgr) {
        // with one channel, [n, 1, H, W] is [1, n, H, W] as it lies in memory
        INDArray image = input.reshape('c', 1, input.size(0), input.size(2), input.size(3));
        INDArray out = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, input.dataType(),
                new long[] {1, delta.size(1), kernel[0], kernel[1]}, 'c');
        Nd4j.exec(new Conv2D(image, delta.permute(1, 0, 2, 3), null, out,
                explicitPadding((int) delta.size(2), (int) delta.size(3), pad[0], pad[1])));
        return out;
    }

    /** {@code [minibatch, 1, H, W]}: every tap's contribution {@code W^T delta}, added into the image by col2im. */
    private static INDArray inputGradient(INDArray input, INDArray weights, INDArray delta, int[] kernel, int[] pad,
                                          LayerWorkspaceMgr mgr) {
        DataType type = input.dataType();
        long minibatch = input.size(0);
        long nOut = delta.size(1);
        long taps = (long) kernel[0] * kernel[1];
        long outHeight = delta.size(2);
        long outWidth = delta.size(3);
        // W^T once per example, as the outer product of a column of ones with W^T as a row (an assign that
        // broadcasts over the first axis fills only the first slice in ND4J 1.0.0-M2.1)
        INDArray ones = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, new long[] {minibatch, 1}, 'c')
                .assign(1.0);
        INDArray tapWeights = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, type,
                new long[] {minibatch, taps, nOut}, 'c');
        Nd4j.exec(new Mmul(ones, weights.reshape('c', nOut, taps).transpose().dup('c').reshape('c', 1, taps * nOut),
                tapWeights.reshape('c', minibatch, taps * nOut), MMulTranspose.allFalse()));
        INDArray columns = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, type,
                new long[] {minibatch, taps, outHeight * outWidth}, 'c');
        Nd4j.exec(new Mmul(tapWeights, delta.reshape('c', minibatch, nOut, outHeight * outWidth), columns,
                MMulTranspose.allFalse()));
        INDArray inputGradient = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, type,
                new long[] {minibatch, 1, input.size(2), input.size(3)}, 'c');
        // col2im's integer arguments: strides, padding, the image's height and width, dilations, same mode
        Nd4j.exec(DynamicCustomOp.builder("col2im")
                .addInputs(columns.reshape('c', minibatch, 1, kernel[0], kernel[1], outHeight, outWidth))
                .addOutputs(inputGradient)
                .addIntegerArguments(1, 1, pad[0], pad[1], (int) input.size(2), (int) input.size(3), 1, 1, 0)
                .build());
        return inputGradient;
    }

    /** A stride-1 NCHW convolution with {@code [out, in, kH, kW]} kernels and the same padding on both sides. */
    private static Conv2DConfig explicitPadding(int kernelHeight, int kernelWidth, int padHeight, int padWidth) {
        return Conv2DConfig.builder().kH(kernelHeight).kW(kernelWidth).sH(1).sW(1).pH(padHeight).pW(padWidth)
                .dH(1).dW(1).paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW)
                .weightsFormat(WeightsFormat.OIYX).build();
    }
}
