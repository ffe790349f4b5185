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

/** The stability experiment at a small size: every model trains, the tables print and the figure is drawn. */
class StabilityTest {

    @Test
    void theBallIsInsideTheShell() {
        DataSet data = Stability.spheres(300, 1);
        assertThat(data.getFeatures().shape()).containsExactly(300, 3);
        for (int i = 0; i < 300; i++) {
            double r = data.getFeatures().getRow(i).norm2Number().doubleValue();
            if (data.getLabels().getDouble(i, 0) == 1) {
                assertThat(r).isLessThanOrEqualTo(Stability.R1 + 1e-6);
            } else {
                assertThat(r).isBetween(Stability.R2 - 1e-6, Stability.R3 + 1e-6);
            }
        }
    }

    @Test
    void trainsEveryModelAndWritesTheTablesAndTheHistograms(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int code;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            code = new CommandLine(new Stability()).execute("--iterations", "4", "--points", "32", "--width", "4",
                    "--out", dir.toString());
        } finally {
            System.setOut(original);
        }
        assertThat(code).isZero();
        String out = printed.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("depth-invariant").contains("depth-variant (Galerkin)")
                .contains("depth-variant + stability").contains("zeros(1), unregularised")
                .contains("zeros(1), kinetic 0.01 + Jacobian 0.01").contains("median LE");
        assertThat(ImageIO.read(dir.resolve("stability-lyapunov-histograms.png").toFile()).getWidth())
                .as("three panels side by side").isGreaterThan(1500);
    }

    @Test
    void rejectsANegativeWeightWithTheRegularizersMessage() {
        CommandLine cli = new CommandLine(new Stability());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        cli.setErr(new java.io.PrintWriter(err, true));
        int code = cli.execute("--iterations", "1", "--points", "8", "--stability=-1");
        assertThat(code).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("finalStateStability").contains("-1");
    }
}
