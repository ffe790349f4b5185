package org.dl4jnode.spark;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The spark-mnist program: trains, reports and saves like mnist-ode train; bad masters and jars are one line. */
class SparkMnistTest {

    /** Exit code, standard output and standard error of one run. */
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            code = SparkMnist.commandLine().setErr(new PrintWriter(err, true)).execute(args);
        } finally {
            System.setOut(original);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    @Test
    void trainsTheMlpModelOnLocalSparkReportsAndSavesIt(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("spark-mlp.zip");
        Run r = run("train", "--spark", "local[2]", "--model", "mlp", "--epochs", "1", "--train-examples", "1280",
                "--test-examples", "500", "--output", model.toString());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Spark local[2]: 2 workers, averaging every 5 minibatches of 64")
                .contains("epoch 1/1  minibatch 20/20").contains("test set: accuracy")
                .contains("trained on Spark in").contains("model saved to " + model);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(model.toFile(), false);
        assertThat(restored.getLayer("ode")).isInstanceOf(org.dl4jnode.layers.OdeLayer.class);
        String accuracy = r.out().replaceAll("(?s).*test set: accuracy ([0-9.]+)%.*", "$1");
        assertThat(Double.parseDouble(accuracy)).as("20 minibatches of MNIST, far above chance").isGreaterThan(50);
    }

    @Test
    void anUnreachableMasterIsOneLine(@TempDir Path dir) throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Path jar = java.nio.file.Files.createFile(dir.resolve("app.jar"));
        Run r = run("train", "--spark", "spark://127.0.0.1:" + closedPort, "--jar", jar.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("spark-mnist train: cannot reach the Spark master spark://127.0.0.1:")
                .doesNotContain("\n");
    }

    @Test
    void aMissingJarIsOneLine() {
        Run r = run("train", "--spark", "local[2]", "--jar", "no/such/app.jar");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("spark-mnist train: the application jar no/such/app.jar does not exist; "
                + "build it with: mvn -B -q package -DskipTests -pl dl4j-node-spark -am -Pshaded");
    }

    @Test
    void aClusterMasterWithoutTheJarSaysHowToSubmit() {
        Run r = run("train", "--spark", "spark://127.0.0.1:7077");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("submit the shaded jar with spark-submit, or give it with --jar");
    }

    @Test
    void aMalformedMasterIsAUsageError() {
        Run r = run("train", "--spark", "localhost:7077");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--spark must be local, local[n], local[*], spark://host:port")
                .doesNotContain("\tat ");
    }
}
