package org.dl4jnode.examples.experiments.poisson;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.dl4jnode.examples.experiments.ProgramOutput;

import javax.imageio.ImageIO;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The Poisson experiment at a small size: it trains, its error against the reference falls, the figure is drawn. */
class PoissonTest {

    @Test
    void aShortRunLearnsTheSolutionsShapeAndDrawsTheFigure(@TempDir Path dir) throws Exception {
        String out = ProgramOutput.of(new Poisson(), "--iterations", "300", "--collocation", "64", "--boundary",
                    "32", "--width", "8", "--learning-rate", "0.01", "--grid", "16", "--out", dir.toString());
        Matcher m = Pattern.compile("relative L2 error ([0-9.e+-]+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        // phi = 0 everywhere has relative error 1; a network that learnt nothing of the source stays near it
        assertThat(Double.parseDouble(m.group(1))).as("relative L2 error after 300 iterations").isLessThan(0.75);
        assertThat(ImageIO.read(dir.resolve("poisson.png").toFile()).getWidth()).as("four panels side by side")
                .isGreaterThan(1800);
    }
}
