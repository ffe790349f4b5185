package org.dl4jnode.examples.experiments;

import org.dl4jnode.conf.GradientMode;
import org.dl4jnode.examples.experiments.IrregularSpirals.Series;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.dl4jnode.examples.experiments.IrregularSpirals.WINDOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The latent-ODE experiment at small sizes: its data, its masks, a short training run and its figures. */
class LatentOdeTest {

    @Test
    void eachSpiralIsObservedAtItsOwnSortedTimesInsideTheWindow() {
        List<Series> all = IrregularSpirals.generate(6, 5, 9, 0.0, 1);
        assertThat(all).hasSize(6);
        for (Series s : all) {
            assertThat(s.truth()).hasNumberOfRows(2 * WINDOW);
            assertThat(s.observed().length).isBetween(5, 9);
            assertThat(s.observed()).isSorted();
            assertThat(Arrays.stream(s.observed()).boxed()).allSatisfy(k -> assertThat(k).isBetween(0, WINDOW - 1));
            // without noise the observations are the spiral's points
            assertThat(s.values()[0][0]).isEqualTo(s.truth()[s.observed()[0]][0]);
            // consecutive grid points lie close together: a smooth curve
            assertThat(Math.hypot(s.truth()[1][0] - s.truth()[0][0], s.truth()[1][1] - s.truth()[0][1]))
                    .isLessThan(0.5);
        }
        assertThat(all.get(0).observed()).as("their own times").isNotEqualTo(all.get(1).observed());
    }

    @Test
    void trainingDataPadsShortSeriesAndMasksThePadding() {
        List<Series> all = IrregularSpirals.generate(2, 3, 6, 0.1, 2);
        MultiDataSet data = LatentOde.trainingData(all, 6);
        INDArray times = data.getFeatures(1);
        INDArray labelMask = data.getLabelsMaskArray(0);
        for (int i = 0; i < all.size(); i++) {
            Series s = all.get(i);
            int n = s.observed().length;
            assertThat(labelMask.getRow(i).sumNumber().intValue()).isEqualTo(n);
            assertThat(data.getFeaturesMaskArray(0).getRow(i).sumNumber().intValue()).isEqualTo(n);
            for (int j = n; j < 6; j++) {
                assertThat(times.getDouble(i, j)).as("padding repeats the first time")
                        .isEqualTo(times.getDouble(i, 0));
            }
            // the encoder reads the observations backwards: its first step is the last observation
            assertThat(data.getFeatures(0).getDouble(i, 2, 0)).isCloseTo(Series.time(s.observed()[n - 1]),
                    within(1e-6));
            assertThat(data.getLabels(0).getDouble(i, 0, 0)).isCloseTo(s.values()[0][0], within(1e-5));
        }
    }

    @Test
    void theBaselineIsExactWhereItObservedAndHoldsTheLastValue() {
        List<Series> all = IrregularSpirals.generate(4, WINDOW, WINDOW, 0.0, 3);
        LatentOde.Errors e = LatentOde.errors(all, IrregularSpirals.baseline(all));
        assertThat(e.interpolation()).as("every window point observed, no noise").isLessThan(1e-9);
        assertThat(e.extrapolation()).isGreaterThan(0.1);
    }

    @Test
    void aShortRunLowersTheLossAndPredictsEveryTime() {
        List<Series> train = IrregularSpirals.generate(24, 8, 12, 0.1, 4);
        List<Series> test = IrregularSpirals.generate(4, 8, 12, 0.1, 5);
        LatentOde.Result r = LatentOde.run(train, test, 12, 30, 0.02, 1e-3, GradientMode.BACKPROP, 10, 4);
        assertThat(r.losses()).hasSize(3);
        assertThat(r.losses().get(2)[1]).isLessThan(r.losses().get(0)[1]);
        assertThat(r.prediction().shape()).containsExactly(4, 2, 2 * WINDOW);
        assertThat(r.latentOde().interpolation()).isFinite().isPositive();
        assertThat(r.latentOde().extrapolation()).isFinite().isPositive();
    }

    @Test
    void writesTheFigures(@TempDir Path dir) throws Exception {
        int code = new CommandLine(new LatentOde()).execute("--series", "12", "--test-series", "6",
                "--min-observations", "5", "--max-observations", "8", "--iterations", "4", "--print-every", "2",
                "--gradient", "ADJOINT", "--out", dir.toString());
        assertThat(code).isZero();
        for (String name : List.of("latent-ode-spirals.png", "latent-ode-loss.png")) {
            assertThat(ImageIO.read(dir.resolve(name).toFile())).as(name).isNotNull()
                    .satisfies(image -> assertThat(image.getWidth()).isGreaterThan(400));
        }
    }
}
