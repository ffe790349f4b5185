package org.dl4jnode.examples.experiments;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dl4jnode.examples.experiments.MnistAugmentation.Setup;
import org.dl4jnode.examples.experiments.MnistAugmentation.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Seed 002's MNIST augmentation study: the four models as the paper builds them, and a smoke run. */
class MnistAugmentationTest {

    private static final Setup SETUP = new Setup(6, 8, 2, 1e-3, 1e-3);

    private static MultiLayerNetwork network(Variant v) {
        MultiLayerNetwork net = new MultiLayerNetwork(SETUP.configuration(v, 1));
        net.init();
        return net;
    }

    /** Parameters of a 3-layer field in -> h -> h -> out with kernels 1, 3, 1. */
    private static long field(long in, long h, long out) {
        return (in * h + h) + (9 * h * h + h) + (h * out + out);
    }

    @Test
    void theFourModelsHaveThePapersShapes() {
        long classifier6 = 6 * 14 * 14 * 10 + 10;
        assertThat(network(Variant.VANILLA).numParams()).as("ODE on the 1-channel image")
                .isEqualTo(field(1, 8, 1) + 14 * 14 * 10 + 10);
        assertThat(network(Variant.ANODE).numParams()).as("zeros to 6 channels")
                .isEqualTo(field(6, 8, 6) + classifier6);
        assertThat(network(Variant.IL_NODE).numParams()).as("linear 3x3 conv 1 -> 6, then the ODE")
                .isEqualTo((9 * 6 + 6) + field(6, 8, 6) + classifier6);
        assertThat(network(Variant.SECOND_ORDER).numParams())
                .as("linear conv 1 -> 3 positions, 3 zero velocities; the field outputs the 3 accelerations")
                .isEqualTo((9 * 3 + 3) + field(6, 8, 3) + classifier6);
        for (Variant v : Variant.values()) {
            assertThat(network(v).output(Nd4j.rand(DataType.FLOAT, 2, 784)).shape()).as(v.label())
                    .containsExactly(2, 10);
        }
    }

    @Test
    void rejectsAnOddStateNamingTheOption() {
        assertThatThrownBy(() -> new Setup(5, 8, 2, 1e-3, 1e-3)).hasMessageContaining("--channels must be even")
                .hasMessageContaining("5");
        assertThatThrownBy(() -> new Setup(6, 8, 3, 1e-3, 1e-3)).hasMessageContaining("--pool must divide 28");
        StringWriter err = new StringWriter();
        int code = new CommandLine(new MnistAugmentation()).setErr(new PrintWriter(err)).execute("--channels", "5");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--channels must be even").doesNotContain("\tat ");
    }

    @Test
    void aSmokeRunTrainsTheFourModelsAndWritesTheTableAndFigure(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int code;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            code = new CommandLine(new MnistAugmentation()).execute("--seeds", "1", "--train-examples", "96",
                    "--batch", "32", "--test-examples", "100", "--curve-examples", "50", "--eval-every", "1",
                    "--hidden", "4", "--pool", "4", "--tolerance", "1e-2", "--out", dir.toString());
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(code).as(out).isZero();
        for (Variant v : Variant.values()) {
            assertThat(out).containsPattern(Pattern.quote(v.label() + ", seed 1") + " +test accuracy");
        }
        assertThat(out).contains("NFE forward").contains("parameters");
        Path figure = dir.resolve("mnist-augmentation-curves.png");
        assertThat(figure).exists();
        assertThat(Files.size(figure)).isGreaterThan(10_000);
    }
}
