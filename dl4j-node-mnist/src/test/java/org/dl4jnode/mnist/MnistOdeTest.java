package org.dl4jnode.mnist;

import org.deeplearning4j.datasets.iterator.impl.MnistDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The MNIST program end to end on a small subset: the conv model trains to a useful accuracy, survives
 * ModelSerializer unchanged, and predicts from image files; the CLI reports bad input without stack traces.
 */
class MnistOdeTest {

    @TempDir
    static Path dir;
    static Path modelFile;
    static MnistOde.Result trained;

    @BeforeAll
    static void trainOnASubset() throws Exception {
        modelFile = dir.resolve("model.zip");
        // 1,500 images, one epoch: a fraction of MNIST, enough to tell learning from chance (10%)
        trained = MnistOde.train(MnistModels.defaults(MnistModels.Kind.CONV), 1, 32, 1_500, 500, 60, modelFile,
                new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void theConvModelLearnsFromASmallSubset() {
        assertThat(trained.accuracy()).isGreaterThan(0.80);
        assertThat(trained.forwardNfe()).as("midpoint, 1 step").isEqualTo(2);
        assertThat(trained.backwardNfe()).isEqualTo(2);
    }

    @Test
    void theMlpVariantLearnsToo() throws Exception {
        MnistOde.Result r = MnistOde.train(MnistModels.defaults(MnistModels.Kind.MLP), 1, 32, 1_500, 500, 60,
                dir.resolve("mlp.zip"), new PrintStream(new ByteArrayOutputStream()));
        assertThat(r.accuracy()).isGreaterThan(0.75);
    }

    @Test
    void aRestoredModelGivesIdenticalProbabilities() throws Exception {
        MultiLayerNetwork restored = MnistClassifier.restore(modelFile).network();
        MultiLayerNetwork again = ModelSerializer.restoreMultiLayerNetwork(modelFile.toFile(), false);
        DataSet batch = new MnistDataSetIterator(50, 50, false, false, false, 0).next();
        INDArray p = restored.output(batch.getFeatures(), false);
        assertThat(again.output(batch.getFeatures(), false)).isEqualTo(p);
        assertThat(restored.getLayerWiseConfigurations()).isEqualTo(again.getLayerWiseConfigurations());
        for (double sum : p.sum(1).toDoubleVector()) {
            assertThat(sum).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void predictReadsPngAndIdxImages() throws Exception {
        float[] digit = MnistImages.read(MnistFiles.directory().resolve("t10k-images-idx3-ubyte"), 1).get(0).pixels();
        BufferedImage png = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < digit.length; i++) {
            png.getRaster().setSample(i % 28, i / 28, 0, Math.round(digit[i] * 255));
        }
        Path pngFile = dir.resolve("digit.png");
        ImageIO.write(png, "png", pngFile.toFile());
        BufferedImage rgb = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < digit.length; i++) {
            int v = Math.round(digit[i] * 255);
            rgb.setRGB(i % 28, i / 28, (v << 16) | (v << 8) | v);
        }
        Path rgbFile = dir.resolve("digit-rgb.png");
        ImageIO.write(rgb, "png", rgbFile.toFile());
        float[] read = MnistImages.read(pngFile, 1).get(0).pixels();
        float[] readRgb = MnistImages.read(rgbFile, 1).get(0).pixels();
        for (int i = 0; i < digit.length; i++) {
            assertThat(read[i]).as("grey pixel %d", i).isCloseTo(digit[i], within(1e-6f));
            assertThat(readRgb[i]).as("rgb pixel %d", i).isCloseTo(digit[i], within(1e-6f));
        }

        String out = run("predict", modelFile.toString(), pngFile.toString(),
                MnistFiles.directory().resolve("t10k-images-idx3-ubyte").toString(), "--limit", "3");
        assertThat(out.lines().filter(l -> l.contains(": class ")).count()).isEqualTo(4);
    }

    @Test
    void theCliReportsAMissingModelInOneLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        var cli = MnistOde.commandLine();
        cli.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
        int code = cli.execute("evaluate", dir.resolve("missing.zip").toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing.zip: no such model file")
                .doesNotContain("\tat ");
    }

    @Test
    void trainChecksItsOptionsBeforeAnythingRuns() {
        for (String[] args : new String[][] {{"train", "--model", "resnet"}, {"train", "--epochs", "0"},
                {"train", "--train-examples", "60001"}, {"train", "--lr", "-1"}, {"train", "--shift", "5"}}) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            var cli = MnistOde.commandLine();
            cli.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
            assertThat(cli.execute(args)).as(Arrays.toString(args)).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).as(Arrays.toString(args))
                    .containsAnyOf("--model must be conv or mlp, got resnet", "need --epochs >= 1",
                            "need learning rate > 0", "shift must be in [0, 4] pixels, got 5")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void anImageOfTheWrongSizeIsRefusedWithItsSize() throws Exception {
        Path big = dir.resolve("big.png");
        ImageIO.write(new BufferedImage(32, 30, BufferedImage.TYPE_BYTE_GRAY), "png", big.toFile());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MnistImages.read(big, 1))
                .hasMessageContaining("expected a 28x28 image, got 32x30");
    }

    private static String run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(MnistOde.commandLine().execute(args)).as(Arrays.toString(args)).isZero();
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
