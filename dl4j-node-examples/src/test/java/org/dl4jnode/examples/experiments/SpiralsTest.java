package org.dl4jnode.examples.experiments;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Seed 004's experiment at a small size: both classifiers learn, the figures are written. */
class SpiralsTest {

    @Test
    void theDataAreTwoBalancedInterleavedSpirals() {
        DataSet d = Spirals.spirals(50, 1);
        assertThat(d.numExamples()).isEqualTo(100);
        assertThat(d.getLabels().sum(0).toDoubleVector()).containsExactly(50, 50);
        assertThat(d.getFeatures().amaxNumber().doubleValue()).isLessThan(1.2);
    }

    @Test
    void bothModelsBeatChanceAndTheFiguresAreWritten(@TempDir Path dir) throws Exception {
        DataSet train = Spirals.spirals(100, 4);
        DataSet test = Spirals.spirals(100, 5);
        Spirals.Result ode = Spirals.train("ODE", Spirals.odeNetwork(16, 2, 4), train, test, 250);
        Spirals.Result resNet = Spirals.train("ResNet", Spirals.resNet(16, 4), train, test, 120);
        // at this size (100 points, 250 steps) the ODE is clearly above chance; the full run reaches 89.9%
        assertThat(ode.accuracy()).isGreaterThan(0.6);
        assertThat(resNet.accuracy()).isGreaterThan(0.65);
        assertThat(ode.parameters()).isLessThan(resNet.parameters());

        int code = new CommandLine(new Spirals()).execute("--points", "20", "--iterations", "2", "--steps", "2",
                "--out", dir.toString());
        assertThat(code).isZero();
        assertThat(ImageIO.read(dir.resolve("spirals-decision-boundaries.png").toFile())).isNotNull();
        assertThat(ImageIO.read(dir.resolve("spirals-trajectories.png").toFile())).isNotNull();
    }
}
