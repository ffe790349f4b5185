package org.dl4jnode.conf;

import org.deeplearning4j.exception.DL4JInvalidConfigException;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;

/**
 * What an ODE layer reads and writes in DL4J's {@link InputType}s: the state's size in the input (the
 * features, or a convolutional field's channels, less the columns of output times) and the output's
 * type. Every failure names the layer and the input type it cannot read.
 */
final class OdeInputTypes {

    private OdeInputTypes() {
    }

    /** The layer's output type: the whole state, recurrent {@code [minibatch, d, T]} with output times. */
    static InputType outputType(BaseOdeLayer layer, InputType inputType) {
        long out = layer.outputSize(stateInputSize(layer, inputType));
        double[] outputTimes = layer.getOutputTimes();
        if (outputTimes != null) {
            return InputType.recurrent(out, outputTimes.length);
        }
        if (layer.hasOutputTimesFromInput()) {
            return InputType.recurrent(out, layer.getOutputTimesFromInput());
        }
        if (inputType instanceof InputType.InputTypeConvolutional image) {
            return InputType.convolutional(image.getHeight(), image.getWidth(), out, CNN2DFormat.NCHW);
        }
        return InputType.feedForward(out);
    }

    /**
     * The input's features that are the state's (all but the {@code outputTimesFromInput} columns of
     * times), checking that there are some.
     */
    static long stateInputSize(BaseOdeLayer layer, InputType inputType) {
        long size = inputSize(layer, inputType);
        int times = layer.getOutputTimesFromInput();
        if (size <= times) {
            throw new DL4JInvalidConfigException(layer.describe() + ": outputTimesFromInput(" + times + ") reads the "
                    + "input's last " + times + " columns as output times, but the input type " + inputType
                    + " has only " + size + " features; give the layer the state and the times (in a "
                    + "ComputationGraph: addLayer(name, layer, stateInput, timesInput))");
        }
        return size - times;
    }

    /** The input's features (channels for a convolutional field), checking that the field can read it. */
    private static long inputSize(BaseOdeLayer layer, InputType inputType) {
        String who = layer.describe() + ": field " + layer.getField();
        if (layer.isConvolutional()) {
            if (inputType instanceof InputType.InputTypeConvolutional image) {
                if (image.getFormat() != CNN2DFormat.NCHW) {
                    throw new DL4JInvalidConfigException(who + " reads NCHW images [minibatch, channels, height, "
                            + "width], got input type " + inputType + "; use CNN2DFormat.NCHW in the layers before it");
                }
                return image.getChannels();
            }
            throw new DL4JInvalidConfigException(who + " needs image input [minibatch, channels, height, width] "
                    + "(InputType.convolutional or convolutionalFlat), got input type " + inputType);
        }
        if (inputType instanceof InputType.InputTypeFeedForward ff) {
            return ff.getSize();
        }
        if (inputType instanceof InputType.InputTypeConvolutionalFlat flat) {
            return flat.getFlattenedSize();
        }
        throw new DL4JInvalidConfigException(who + " needs feed-forward input [minibatch, features], got input type "
                + inputType);
    }
}
