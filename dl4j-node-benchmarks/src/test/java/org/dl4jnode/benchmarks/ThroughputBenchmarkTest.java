package org.dl4jnode.benchmarks;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The benchmark's models are the ones its PyTorch peer builds, and it prints its RESULT line. */
class ThroughputBenchmarkTest {

    private static long parameters(String model) {
        MultiLayerNetwork net = new MultiLayerNetwork(ThroughputBenchmark.model(model).configuration());
        net.init();
        return net.numParams();
    }

    @Test
    void modelsHaveThePeersParameterCounts() {
        // scripts/peer/ode_peer.py reports the same counts for its models
        assertThat(parameters("mlp-ode")).isEqualTo(784 * 64 + 64 + (64 * 64 + 64 + 64 + 64 * 64 + 64) + 64 * 10 + 10);
        assertThat(parameters("galerkin")).isEqualTo(784 * 64 + 64 + 11 * (64 * 64 + 64 + 64 + 64 * 64 + 64) + 650);
        assertThat(parameters("conv")).isEqualTo(101_610);
        assertThatThrownBy(() -> ThroughputBenchmark.model("lstm")).hasMessageContaining("got lstm");
    }

    @Test
    void printsOneResultLine() {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(new CommandLine(new ThroughputBenchmark()).execute("--model", "mlp-ode", "--examples", "256",
                    "--warmup", "1")).isZero();
        } finally {
            System.setOut(original);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern(
                "RESULT side=dl4j model=mlp-ode threads=\\S+ train_eps=[0-9.]+ infer_eps=[0-9.]+ heap_peak_mib=[0-9.]+ "
                        + "rss_peak_mib=[0-9.]+ examples=256 params=59274");
    }
}
