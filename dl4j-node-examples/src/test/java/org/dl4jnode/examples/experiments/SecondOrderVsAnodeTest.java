package org.dl4jnode.examples.experiments;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Second order against ANODE at a small size: both train, the table prints, the two rows of panels are drawn. */
class SecondOrderVsAnodeTest {

    @Test
    void trainsBothModelsAndDrawsTheirFlows(@TempDir Path dir) throws Exception {
        String out = ProgramOutput.of(new SecondOrderVsAnode(), "--iterations", "3", "--points", "32",
                    "--width", "4", "--out", dir.toString());
        assertThat(out).containsPattern("(?m)^ANODE, zeros\\(2\\)\\s+[0-9.]+%\\s+\\d+\\s+\\d+\\s+[0-9.]+$")
                .containsPattern("(?m)^second order\\s+[0-9.]+%\\s+\\d+\\s+\\d+\\s+[0-9.]+$");
        var image = ImageIO.read(dir.resolve("second-order-vs-anode.png").toFile());
        assertThat(image.getWidth()).as("four panels a row").isGreaterThan(1800);
        assertThat(image.getHeight()).as("one row per model").isGreaterThan(800);
    }

    @Test
    void secondOrderHasTheSmallerFieldForTheSameWidths() {
        SecondOrderVsAnode experiment = new SecondOrderVsAnode();
        new CommandLine(experiment).parseArgs("--iterations", "1", "--points", "16", "--width", "8");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        var data = org.dl4jnode.examples.NestedSpheres.spheres(16, 1);
        long anode = experiment.train(SecondOrderVsAnode.models().get(0), data, data, quiet).trained().parameters();
        long second = experiment.train(SecondOrderVsAnode.models().get(1), data, data, quiet).trained().parameters();
        // the field's last layer outputs 2 accelerations instead of 4 derivatives: 8 x 2 + 2 parameters fewer
        assertThat(anode - second).isEqualTo(8 * 2 + 2);
    }
}
