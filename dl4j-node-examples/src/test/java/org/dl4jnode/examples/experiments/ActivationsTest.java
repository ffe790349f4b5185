package org.dl4jnode.examples.experiments;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;

import javax.imageio.ImageIO;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The activations experiment at a small size: every model trains, the table prints and the figure is drawn. */
class ActivationsTest {

    @Test
    void theMoonsAreTwoBalancedClassesAroundTheOrigin() {
        DataSet moons = Activations.moons(400, 0, 1);
        assertThat(moons.getLabels().sum(0).toDoubleVector()).containsExactly(200, 200);
        assertThat(Math.abs(moons.getFeatures().getColumn(0).meanNumber().doubleValue())).isLessThan(0.1);
        for (int i = 0; i < 400; i++) {
            double x = moons.getFeatures().getDouble(i, 0) + 0.5;
            double y = moons.getFeatures().getDouble(i, 1) + 0.25;
            double cx = moons.getLabels().getDouble(i, 0) == 1 ? 0 : 1;
            double cy = moons.getLabels().getDouble(i, 0) == 1 ? 0 : 0.5;
            assertThat(Math.hypot(x - cx, y - cy)).as("on its unit half circle").isCloseTo(1.0,
                    org.assertj.core.api.Assertions.within(1e-5));
        }
    }

    @Test
    void everyActivationTrainsAndANonNegativeOneKeepsTheFieldNonNegative(@TempDir Path dir) throws Exception {
        String out = ProgramOutput.of(new Activations(), "--iterations", "3", "--points", "32", "--width", "4",
                    "--out", dir.toString());
        for (Activation a : Activations.ACTIVATIONS) {
            assertThat(out).contains(a.toString());
        }
        assertThat(ImageIO.read(dir.resolve("activations.png").toFile()).getWidth()).as("five panels side by side")
                .isGreaterThan(2000);
        // the table's rows: a non-negative output activation gives a field that is >= 0 everywhere
        for (String row : out.split("\n")) {
            String[] cells = row.trim().split("\\s+");
            if (cells.length == 5 && (cells[0].equals("SIGMOID") || cells[0].equals("RELU")
                    || cells[0].equals("SOFTPLUS"))) {
                assertThat(Double.parseDouble(cells[4])).as(row).isGreaterThanOrEqualTo(0);
            }
            if (cells.length == 5 && cells[0].equals("TANH")) {
                assertThat(Double.parseDouble(cells[4])).as(row).isLessThan(0);
            }
        }
        assertThat(out).containsPattern("(?m)^SOFTPLUS\\s+\\d");
    }
}
