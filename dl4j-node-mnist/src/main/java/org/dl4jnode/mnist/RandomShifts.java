package org.dl4jnode.mnist;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Training-time augmentation for MNIST: moves each image by a random whole number of pixels, at most
 * {@code maxShift} in each direction, filling the uncovered border with 0 (the background). Digits
 * keep their class under small translations, so the network sees a new variant of every image each
 * epoch; the images' labels are untouched.
 *
 * <p>Reads features as {@code MnistDataSetIterator} gives them, {@code [minibatch, 784]} (28x28 in
 * row-major order), and replaces them with shifted copies. The shifts are drawn from the seed given,
 * so a run is reproducible. Not thread-safe: one instance per iterator.
 */
public final class RandomShifts implements DataSetPreProcessor {

    private static final int SIDE = 28;

    private final int maxShift;
    private final SplittableRandom random;

    /**
     * @param maxShift largest shift in pixels along each axis, in [0, 27]; 0 leaves the images as they are
     * @param seed     seed of the shifts
     */
    public RandomShifts(int maxShift, long seed) {
        if (maxShift < 0 || maxShift >= SIDE) {
            throw new IllegalArgumentException("RandomShifts: maxShift must be in [0, " + (SIDE - 1) + "], got "
                    + maxShift);
        }
        this.maxShift = maxShift;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public void preProcess(DataSet dataSet) {
        INDArray features = dataSet.getFeatures();
        if (features.rank() != 2 || features.size(1) != SIDE * SIDE) {
            throw new IllegalArgumentException("RandomShifts: features must be [minibatch, " + SIDE * SIDE
                    + "], got " + Arrays.toString(features.shape()));
        }
        if (maxShift == 0) {
            return;
        }
        int n = (int) features.size(0);
        float[] in = Nd4j.toFlattened('c', features).toFloatVector();
        float[] out = new float[in.length];
        for (int i = 0; i < n; i++) {
            shift(in, out, i * SIDE * SIDE, random.nextInt(-maxShift, maxShift + 1),
                    random.nextInt(-maxShift, maxShift + 1));
        }
        dataSet.setFeatures(Nd4j.create(out, new long[]{n, SIDE * SIDE}).castTo(features.dataType()));
    }

    /** Writes the image at {@code offset} of {@code in}, moved right by dx and down by dy, into {@code out}. */
    private static void shift(float[] in, float[] out, int offset, int dx, int dy) {
        int columns = SIDE - Math.abs(dx);
        int fromColumn = Math.max(0, -dx);
        int toColumn = Math.max(0, dx);
        for (int row = Math.max(0, dy); row < Math.min(SIDE, SIDE + dy); row++) {
            System.arraycopy(in, offset + (row - dy) * SIDE + fromColumn, out, offset + row * SIDE + toColumn,
                    columns);
        }
    }
}
