package org.dl4jnode.layers;

import org.dl4jnode.conf.Augmentation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * The initial state of an ODE layer made from its input ({@link Augmentation}), and the way back:
 * {@code z0 = [x, 0]}, {@code x W + b} or {@code [x, x W + b]}, and their gradients. Its output side,
 * keeping the first {@code outputSize} dims of the final state, is here too, so the layer runtime sees
 * one state space. Dims are features of {@code [mb, d]} arrays or channels of {@code [mb, c, h, w]}
 * images (zeros only: the learned maps take vectors).
 */
final class StateLift {

    private final Augmentation.Init init;
    private final long inputSize;
    private final long stateSize;
    private final long outputSize;

    StateLift(Augmentation augmentation, long inputSize, long outputSize) {
        this.init = augmentation.init();
        this.inputSize = inputSize;
        this.stateSize = augmentation.stateSize(inputSize);
        this.outputSize = outputSize;
    }

    /** z0 from x, {@code [mb, d] -> [mb, D]}. */
    INDArray initialState(INDArray x, Map<String, INDArray> params) {
        return switch (init) {
            case ZEROS -> stateSize == inputSize ? x : ChannelAxis.withZeros(x, stateSize - inputSize);
            case INPUT_LAYER -> linear(x, params);
            case INPUT_LAYER_EXTRA -> Nd4j.hstack(x, linear(x, params));
        };
    }

    private static INDArray linear(INDArray x, Map<String, INDArray> params) {
        return x.mmul(params.get(Augmentation.WEIGHT_KEY)).addiRowVector(params.get(Augmentation.BIAS_KEY));
    }

    /**
     * dL/dx through z0, writing the input layer's gradients into {@code gradients} (by key).
     *
     * @param x      the layer's input
     * @param stateBar dL/dz0
     */
    INDArray inputGradient(INDArray x, INDArray stateBar, Map<String, INDArray> params,
                           Map<String, INDArray> gradients) {
        return switch (init) {
            case ZEROS -> stateSize == inputSize ? stateBar : ChannelAxis.range(stateBar, 0, inputSize).dup();
            case INPUT_LAYER -> linearGradient(x, stateBar, params, gradients);
            case INPUT_LAYER_EXTRA -> linearGradient(x, ChannelAxis.range(stateBar, inputSize, stateSize), params,
                    gradients).addi(ChannelAxis.range(stateBar, 0, inputSize));
        };
    }

    private static INDArray linearGradient(INDArray x, INDArray outBar, Map<String, INDArray> params,
                                           Map<String, INDArray> gradients) {
        gradients.get(Augmentation.WEIGHT_KEY).assign(x.transpose().mmul(outBar));
        gradients.get(Augmentation.BIAS_KEY).assign(outBar.sum(true, 0));
        return outBar.mmul(params.get(Augmentation.WEIGHT_KEY).transpose());
    }

    /** The layer's output: the final state, or its first {@code outputSize} dims. */
    INDArray output(INDArray finalState) {
        return outputSize == stateSize ? finalState : ChannelAxis.range(finalState, 0, outputSize).dup();
    }

    /** dL/dz(t1) from dL/d(output): zeros for the dims the output drops. */
    INDArray finalStateGradient(INDArray outputBar) {
        if (outputSize == stateSize) {
            return outputBar;
        }
        return ChannelAxis.withZeros(outputBar, stateSize - outputSize);
    }
}
