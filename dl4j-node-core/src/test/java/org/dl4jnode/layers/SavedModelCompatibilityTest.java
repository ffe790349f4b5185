package org.dl4jnode.layers;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Models saved by earlier releases keep restoring, with the outputs they gave when they were saved,
 * as DL4J's own regression tests restore models of old releases. The files in
 * {@code src/test/resources/golden} were written by {@link GoldenModels} (release 0.1.0, class names
 * in the JSON of fields and bases); every layer type, option and basis, as a
 * {@code MultiLayerNetwork} and a {@code ComputationGraph}. A failure here means users' saved models
 * no longer load: keep the old form readable, never regenerate the files to make it pass.
 */
class SavedModelCompatibilityTest {

    static Stream<Path> goldenModels() throws IOException, URISyntaxException {
        Path dir = Path.of(Objects.requireNonNull(SavedModelCompatibilityTest.class.getResource("/golden"),
                "test resources hold golden/").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".zip")).sorted().toList().stream();
        }
    }

    @Test
    void everyLayerTypeHasGoldenModels() throws Exception {
        List<String> names = goldenModels().map(p -> p.getFileName().toString()).toList();
        assertThat(names).hasSize(23).anyMatch(n -> n.contains("anode")).anyMatch(n -> n.contains("second"))
                .anyMatch(n -> n.contains("piecewiseconstant")).anyMatch(n -> n.contains("conv"))
                .anyMatch(n -> n.endsWith("-cg.zip"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenModels")
    void aSavedModelRestoresWithTheOutputItGaveAndTrainsOn(Path file) throws IOException {
        File f = file.toFile();
        INDArray input = ModelSerializer.getObjectFromFile(f, GoldenModels.INPUT);
        INDArray expected = ModelSerializer.getObjectFromFile(f, GoldenModels.OUTPUT);
        INDArray output;
        if (file.toString().endsWith("-cg.zip")) {
            ComputationGraph net = ModelSerializer.restoreComputationGraph(f, true);
            output = net.outputSingle(input);
            net.fit(new org.nd4j.linalg.dataset.DataSet(input, expected));
        } else {
            MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(f, true);
            output = net.output(input);
            net.fit(new org.nd4j.linalg.dataset.DataSet(input, expected));
        }
        // float32; the same ops in the same order give the same bits, a reordered sum a last-bit change
        assertThat(output.shape()).isEqualTo(expected.shape());
        assertThat(output.sub(expected).amaxNumber().doubleValue()).as(file.getFileName().toString())
                .isLessThan(1e-6);
    }
}
