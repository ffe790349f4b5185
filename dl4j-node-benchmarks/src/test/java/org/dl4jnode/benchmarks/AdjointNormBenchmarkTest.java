package org.dl4jnode.benchmarks;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** A short run of the adjoint-norm benchmark prints both runs and both gradient comparisons. */
class AdjointNormBenchmarkTest {

    @Test
    void printsBothNormsAndTheirGradientErrors() {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(new CommandLine(new AdjointNormBenchmark()).execute("--iterations", "2", "--batch", "8"))
                    .isZero();
        } finally {
            System.setOut(original);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).containsPattern("RESULT norm=full solver=DOPRI5 tol=1e-03 minibatches=2 forward_nfe=[0-9.]+ "
                + "backward_nfe=[0-9.]+ backward_steps=[0-9.]+")
                .containsPattern("RESULT norm=seminorm ")
                .containsPattern("GRADIENT norm=full relative_error_vs_backprop=[0-9.]+e-0[2-9]")
                .containsPattern("GRADIENT norm=seminorm relative_error_vs_backprop=[0-9.]+e-0[2-9]");
    }
}
