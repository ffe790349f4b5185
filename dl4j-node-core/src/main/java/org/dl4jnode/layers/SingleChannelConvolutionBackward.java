package org.dl4jnode.layers;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Reverse;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The backward pass of a convolution with one input channel, stride 1 and no dilation (the first layer of a
 * network on grayscale images), as two forward convolutions and a sum, on NCHW arrays with DL4J's
 * {@code [nOut, 1, kH, kW]} weights:
 * <ul>
 *   <li>the weight gradient {@code dW[o, 0, a, b] = sum_n sum_p x[n, 0, p + (a, b) - pad] delta[n, o, p]} is the
 *       convolution of the input, read as one image of {@code minibatch} channels, with {@code delta}, read as
 *       {@code nOut} kernels of {@code minibatch} channels and the output's size;</li>
 *   <li>the input gradient is the convolution of {@code delta} with the kernels flipped in both axes, as one
 *       kernel of {@code nOut} channels, padded by {@code k - 1 - pad};</li>
 *   <li>the bias gradient is {@code delta} summed over the minibatch and the image.</li>
 * </ul>
 * Why: oneDNN's forward convolutions are its fast kernels, while its backward pass for one input channel is not.
 * On the MNIST stem's first layer ({@code [64, 1, 28, 28]} to 16 channels, 3x3) libnd4j's {@code conv2d_bp} took
 * 5.1-7.1 ms and these three ops 3.8-4.8 ms; a training step of the stem went from 46.0 to 41.8 ms, and from
 * 38.8 to 34.0 ms in a second run (medians of 12 interleaved rounds of 20 steps).
 */
final class SingleChannelConvolutionBackward {

    private SingleChannelConvolutionBackward() {
    }

    /**
     * True when the decomposition gives the convolution's gradients: one input channel, stride 1, no dilation,
     * and padding ({@code pad}: top and left, as the layer computed it) the same on both sides of each axis,
     * which {@code delta}'s size {@code H + 2 pad - k + 1} shows, and below the kernel size.
     *
     * @param input  {@code [minibatch, channels, H, W]}
     * @param delta  the gradient of the pre-activation, {@code [minibatch, nOut, oH, oW]}
     */
    static boolean appliesTo(INDArray input, INDArray delta, int[] kernel, int[] strides, int[] dilation, int[] pad) {
        if (input.rank() != 4 || input.size(1) != 1 || delta.rank() != 4) {
            return false;
        }
        for (int axis = 0; axis < 2; axis++) {
            if (strides[axis] != 1 || dilation[axis] != 1 || pad[axis] < 0 || pad[axis] >= kernel[axis]
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
        long minibatch = input.size(0);
        long height = input.size(2);
        long width = input.size(3);
        long nOut = delta.size(1);
        long taps = (long) kernel[0] * kernel[1];

        // both are views: one channel makes [n, 1, H, W] one image of n channels, and [nOut, 1, kH, kW] one row
        INDArray image = input.reshape('c', 1, minibatch, height, width);
        INDArray kernels = delta.permute(1, 0, 2, 3);
        INDArray weightGradientOut = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, input.dataType(),
                new long[] {1, nOut, kernel[0], kernel[1]}, 'c');
        Nd4j.exec(new Conv2D(image, kernels, null, weightGradientOut,
                explicitPadding((int) delta.size(2), (int) delta.size(3), pad[0], pad[1])));
        weightGradient.assign(weightGradientOut.reshape('c', weightGradient.shape()));

        biasGradient.assign(delta.sum(0, 2, 3).reshape('c', biasGradient.shape()));

        // flipping every row of [nOut, kH kW] flips each kernel in both axes
        INDArray flipped = Nd4j.exec(new Reverse(weights.reshape('c', nOut, taps).dup('c'), 1))[0]
                .reshape('c', 1, nOut, kernel[0], kernel[1]);
        INDArray inputGradient = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(),
                new long[] {minibatch, 1, height, width}, 'c');
        Nd4j.exec(new Conv2D(delta, flipped, null, inputGradient,
                explicitPadding(kernel[0], kernel[1], kernel[0] - 1 - pad[0], kernel[1] - 1 - pad[1])));
        return inputGradient;
    }

    /** A stride-1 NCHW convolution with {@code [out, in, kH, kW]} kernels and the same padding on both sides. */
    private static Conv2DConfig explicitPadding(int kernelHeight, int kernelWidth, int padHeight, int padWidth) {
        return Conv2DConfig.builder().kH(kernelHeight).kW(kernelWidth).sH(1).sW(1).pH(padHeight).pW(padWidth)
                .dH(1).dW(1).paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW)
                .weightsFormat(WeightsFormat.OIYX).build();
    }
}
