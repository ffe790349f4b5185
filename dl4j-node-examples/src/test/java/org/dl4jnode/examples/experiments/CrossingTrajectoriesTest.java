package org.dl4jnode.examples.experiments;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The crossing-trajectories experiment: a short run of every model draws the figure; a longer one of two models
 * shows the experiment's point, a flow that does not read x stays above the topological bound and a data-controlled
 * one goes below it.
 */
class CrossingTrajectoriesTest {

    @Test
    void theDataAreMinusXOnEvenlySpacedInputs() {
        DataSet data = CrossingTrajectories.data(5);
        assertThat(data.getFeatures().toDoubleVector()).containsExactly(-1, -0.5, 0, 0.5, 1);
        assertThat(data.getLabels().add(data.getFeatures()).amaxNumber().doubleValue()).as("labels -x").isZero();
    }

    @Test
    void everyModelTrainsAndTheFigureIsDrawn(@TempDir Path dir) throws Exception {
        String out = ProgramOutput.of(new CrossingTrajectories(), "--iterations", "3", "--points", "8", "--out", dir.toString());
        assertThat(out).contains("depth-invariant").contains("depth-variant (concat)").contains("GalNODE, fourier(2)")
                .contains("data-controlled, linear").contains("adaptive depth").contains("at least 0.5050");
        assertThat(ImageIO.read(dir.resolve("crossing-trajectories.png").toFile()).getWidth())
                .as("four panels side by side").isGreaterThan(1800);
    }

    @Test
    void aVanillaFlowStaysAboveTheBoundWhereADataControlledOneGoesBelow() {
        CrossingTrajectories experiment = new CrossingTrajectories();
        new CommandLine(experiment).parseArgs("--iterations", "150", "--points", "16", "--learning-rate", "0.05");
        DataSet train = CrossingTrajectories.data(16);
        DataSet test = CrossingTrajectories.data(CrossingTrajectories.TEST_POINTS);
        double bound = test.getFeatures().amean().getDouble(0);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        CrossingTrajectories.Result vanilla = experiment.train(experiment.models().get(0), train, test, quiet);
        CrossingTrajectories.Result controlled = experiment.train(experiment.models().get(3), train, test, quiet);
        assertThat(vanilla.testError()).as("an increasing map's error").isGreaterThanOrEqualTo(bound - 1e-3);
        assertThat(controlled.testError()).as("the data-controlled linear field's error").isLessThan(bound / 2);
        assertThat(bound).isCloseTo(0.505, within(1e-3));
    }

    @Test
    void aBadOptionIsAUsageErrorNamingIt() {
        CommandLine cli = new CommandLine(new CrossingTrajectories());
        java.io.StringWriter err = new java.io.StringWriter();
        cli.setErr(new java.io.PrintWriter(err, true));
        assertThat(cli.execute("--iterations", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("need --iterations >= 1");
    }
}
