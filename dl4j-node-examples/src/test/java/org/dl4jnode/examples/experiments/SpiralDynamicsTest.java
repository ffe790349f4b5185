package org.dl4jnode.examples.experiments;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Seed 003's experiment at small sizes: the matrices are learned, the figures are written. */
class SpiralDynamicsTest {

    @Test
    void theExactTrajectoryDecaysAndTurnsAsExpA() {
        // A = [[-0.1, -1], [1, -0.1]]: z(t) = e^{-0.1 t} R(t) z(0), R the rotation by t
        INDArray z = SpiralDynamics.trajectory(SpiralDynamics.SPIRAL, Math.PI / 2, 1);
        double decay = Math.exp(-0.1 * Math.PI / 2);
        assertThat(z.getDouble(1, 0)).isCloseTo(-decay, within(1e-9));
        assertThat(z.getDouble(1, 1)).isCloseTo(decay, within(1e-9));
    }

    @Test
    void learnsBothMatricesFromTransitionsAndFromTheWholeTrajectory() {
        List<SpiralDynamics.Result> results = SpiralDynamics.run(300, 1000, 50, 10, 0.02, 3);
        assertThat(results.get(0).maxError()).as("clean samples, transitions").isLessThan(0.02);
        assertThat(results.get(1).maxError()).as("noisy samples, transitions").isLessThan(0.15);
        assertThat(results.get(2).fit()).isEqualTo("trajectory");
        assertThat(results.get(2).maxError()).as("clean samples, one trajectory").isLessThan(0.02);
        assertThat(results.get(0).rollouts()).hasSize(3);
        assertThat(results.get(2).rollouts()).hasSize(3).allSatisfy(z -> assertThat(z.rows()).isEqualTo(51));
    }

    @Test
    void writesTheFigures(@TempDir Path dir) throws Exception {
        int code = new CommandLine(new SpiralDynamics()).execute("--epochs", "20", "--trajectory-epochs", "20",
                "--samples", "20", "--out", dir.toString());
        assertThat(code).isZero();
        for (String name : List.of("spiral-dynamics-spiral.png", "spiral-dynamics-noisy.png",
                "spiral-dynamics-spiral-trajectory.png", "spiral-dynamics-noisy-trajectory.png",
                "spiral-dynamics-matrices.png")) {
            assertThat(ImageIO.read(dir.resolve(name).toFile())).as(name).isNotNull()
                    .satisfies(image -> assertThat(image.getWidth()).isGreaterThan(400));
        }
    }
}
