package org.dl4jnode.mnist;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A trained MNIST model restored with {@link ModelSerializer}, answering class probabilities.
 * Thread-safe: calls are serialised (a DL4J network is not thread-safe).
 */
public final class MnistClassifier {

    private final MultiLayerNetwork net;

    public MnistClassifier(MultiLayerNetwork net) {
        this.net = net;
    }

    /**
     * Restores a model saved by {@code train}.
     *
     * @throws IOException naming the file, when it is missing or not a DL4J model
     */
    public static MnistClassifier restore(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such model file (train one with the 'train' command)");
        }
        try {
            return new MnistClassifier(ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false));
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + " is not a DL4J model saved by ModelSerializer: " + e.getMessage(), e);
        }
    }

    public MultiLayerNetwork network() {
        return net;
    }

    /** An independent copy (configuration and parameters), for another thread to run in parallel. */
    public MnistClassifier replica() {
        return new MnistClassifier(net.clone());
    }

    /** Class probabilities, one row of 10 per image of 784 pixels in [0, 1]. */
    public synchronized float[][] probabilities(List<float[]> images) {
        INDArray out = net.output(MnistImages.batch(images), false);
        float[][] rows = new float[images.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = out.getRow(i).toFloatVector();
        }
        return rows;
    }

    /** The most probable class of a row of probabilities. */
    public static int argMax(float[] probabilities) {
        int best = 0;
        for (int i = 1; i < probabilities.length; i++) {
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return best;
    }
}
