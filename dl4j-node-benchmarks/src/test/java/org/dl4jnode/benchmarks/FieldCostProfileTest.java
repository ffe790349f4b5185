package org.dl4jnode.benchmarks;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class FieldCostProfileTest {

    @Test
    void printsAPositiveFigureForEveryLine() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit = new CommandLine(new FieldCostProfile(new PrintStream(captured, true, StandardCharsets.UTF_8)))
                .execute("--width", "4", "--batch", "3", "--calls", "5");
        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(exit).isEqualTo(0);
        assertThat(out).contains("FieldFunction.evaluateWithVjp").contains("op: tanh in place")
                .contains("graph ops (replayed)");
        assertThat(out.lines().filter(line -> line.matches("\\s+fwd .*"))).as("forward ops of an mlp(4) field")
                .anyMatch(line -> line.contains("matmul")).anyMatch(line -> line.contains("tanh"));
        assertThat(out.lines().filter(line -> line.matches("\\s+bwd .*"))).anyMatch(line -> line.contains("tanh_bp"));
        assertThat(out.lines().filter(line -> line.startsWith("  ") && !line.startsWith("  forward ops")))
                .allMatch(line -> line.matches("\\s+.+\\s+[0-9]+\\.[0-9]"));
    }

    @Test
    void profilesGalerkinWeightsWithTheirReconstructionOps() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit = new CommandLine(new FieldCostProfile(new PrintStream(captured, true, StandardCharsets.UTF_8)))
                .execute("--width", "4", "--batch", "3", "--calls", "5", "--galerkin");
        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(exit).isEqualTo(0);
        assertThat(out).contains("Galerkin weights").contains(" cos ").doesNotContain("direct ND4J");
    }

    @Test
    void rejectsNonPositiveSizes() {
        assertThat(new CommandLine(new FieldCostProfile()).execute("--calls", "0")).isNotEqualTo(0);
    }
}
