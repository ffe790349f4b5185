package org.dl4jnode.mnist;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Random shifts move each image as a whole, within the bound, fill with zeros and leave labels alone. */
class RandomShiftsTest {

    /** One bright pixel per image at (row, column): its new position shows the shift. */
    private static DataSet points(int n, int row, int column) {
        INDArray features = Nd4j.zeros(DataType.FLOAT, n, 784);
        for (int i = 0; i < n; i++) {
            features.putScalar(i, row * 28 + column, 1f);
        }
        return new DataSet(features, Nd4j.eye(n).castTo(DataType.FLOAT));
    }

    @Test
    void everyImageMovesAsAWholeByAtMostTheBound() {
        int n = 400;
        DataSet data = points(n, 14, 14);
        INDArray labels = data.getLabels().dup();
        new RandomShifts(2, 7).preProcess(data);
        float[][] images = data.getFeatures().toFloatMatrix();
        boolean[][] seen = new boolean[5][5];
        for (float[] image : images) {
            int at = -1;
            for (int p = 0; p < 784; p++) {
                if (image[p] != 0) {
                    assertThat(at).as("one bright pixel").isEqualTo(-1);
                    at = p;
                }
            }
            int dy = at / 28 - 14;
            int dx = at % 28 - 14;
            assertThat(Math.max(Math.abs(dx), Math.abs(dy))).isLessThanOrEqualTo(2);
            seen[dy + 2][dx + 2] = true;
        }
        for (boolean[] row : seen) {
            assertThat(row).as("every shift in [-2, 2]^2 drawn in 400 images").containsOnly(true);
        }
        assertThat(data.getLabels()).isEqualTo(labels);
        assertThat(data.getFeatures().dataType()).isEqualTo(DataType.FLOAT);
    }

    @Test
    void contentShiftedOutIsDroppedAndTheBorderIsZero() {
        DataSet data = points(200, 0, 27); // the top right corner: kept only when moved left, down or not at all
        new RandomShifts(1, 3).preProcess(data);
        float[][] images = data.getFeatures().toFloatMatrix();
        int kept = 0;
        for (float[] image : images) {
            float sum = 0;
            for (float v : image) {
                sum += v;
            }
            assertThat(sum).isIn(0f, 1f);
            kept += (int) sum;
        }
        // kept when dx <= 0 and dy >= 0: 2 of 3 values each, 4/9 of the images
        assertThat(kept).isBetween(60, 120);
    }

    @Test
    void theSameSeedGivesTheSameShifts() {
        DataSet a = points(50, 10, 10);
        DataSet b = points(50, 10, 10);
        new RandomShifts(3, 11).preProcess(a);
        new RandomShifts(3, 11).preProcess(b);
        assertThat(a.getFeatures()).isEqualTo(b.getFeatures());
    }

    @Test
    void zeroLeavesImagesAsTheyAre() {
        DataSet data = points(10, 5, 6);
        INDArray before = data.getFeatures().dup();
        new RandomShifts(0, 1).preProcess(data);
        assertThat(data.getFeatures()).isEqualTo(before);
    }

    @Test
    void badBoundsAndShapesAreRefused() {
        assertThatThrownBy(() -> new RandomShifts(-1, 0)).hasMessageContaining("maxShift must be in [0, 27], got -1");
        assertThatThrownBy(() -> new RandomShifts(1, 0).preProcess(new DataSet(Nd4j.zeros(2, 10), Nd4j.zeros(2, 2))))
                .hasMessageContaining("features must be [minibatch, 784], got [2, 10]");
    }
}
