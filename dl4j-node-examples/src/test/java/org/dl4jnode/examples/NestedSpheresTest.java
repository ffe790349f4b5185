package org.dl4jnode.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;

/** Nested 2-spheres at a small size: every model trains and reports sane figures. */
class NestedSpheresTest {

    @Test
    void everyModelTrainsAndReportsAccuracyParametersAndNfe() {
        List<NestedSpheres.Result> results = NestedSpheres.run(40, 128, 8, 1e-2, 42, null);
        assertThat(results).extracting(NestedSpheres.Result::model).containsExactly("vanilla", "fourier(5)",
                "zeros(2)", "inputLayer(2)", "secondOrder", "data-controlled", "adaptive depth");
        DataSet test = NestedSpheres.spheres(128, 43);
        for (NestedSpheres.Result r : results) {
            // the reported accuracy is the returned network's on the test set
            Evaluation evaluation = new Evaluation(2);
            evaluation.eval(test.getLabels(), r.network().output(test.getFeatures(), false));
            assertThat(r.accuracy()).as(r.model()).isEqualTo(evaluation.accuracy());
            assertThat(r.nfe()).as(r.model()).isGreaterThanOrEqualTo(12);
            assertThat(r.finalLoss()).as(r.model()).isPositive().isLessThan(r.halfwayLoss() * 1.5);
        }
        long vanilla = results.get(0).parameters();
        assertThat(results.get(2).parameters()).as("zeros(2): 2 more inputs and outputs of the field")
                .isGreaterThan(vanilla);
        // an augmented state lets a few iterations separate the classes
        assertThat(results.stream().mapToDouble(NestedSpheres.Result::accuracy).max().orElse(0)).isGreaterThan(0.9);
    }

    @Test
    void theDiscIsInsideTheAnnulus() {
        DataSet data = NestedSpheres.spheres(200, 1);
        for (int i = 0; i < 200; i++) {
            double r = data.getFeatures().getRow(i).norm2Number().doubleValue();
            if (data.getLabels().getDouble(i, 0) == 1) {
                assertThat(r).isLessThanOrEqualTo(NestedSpheres.R1);
            } else {
                assertThat(r).isBetween(NestedSpheres.R2, NestedSpheres.R3);
            }
        }
    }

    @Test
    void drawsTheDecisionBoundariesAndTheVanillaFlow(@TempDir Path dir) throws Exception {
        int code = new CommandLine(new NestedSpheres()).execute("--iterations", "3", "--points", "32", "--width", "4",
                "--out", dir.toString());
        assertThat(code).isZero();
        assertThat(ImageIO.read(dir.resolve("nested-spheres-decision-boundaries.png").toFile()).getWidth())
                .as("a 4 x 2 grid of charts").isGreaterThan(1500);
        assertThat(ImageIO.read(dir.resolve("nested-spheres-flow.png").toFile())).isNotNull();
    }
}
