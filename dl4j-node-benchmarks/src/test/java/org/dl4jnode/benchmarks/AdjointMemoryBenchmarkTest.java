package org.dl4jnode.benchmarks;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class AdjointMemoryBenchmarkTest {

    private static String run(int[] exit, String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            exit[0] = new CommandLine(new AdjointMemoryBenchmark()).execute(args);
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void measuresEveryModeAtEveryStepCountInChildJvms() {
        int[] exit = new int[1];
        String out = run(exit, "--steps", "1,3", "--width", "4", "--batch", "8", "--heap", "128m");
        assertThat(exit[0]).isEqualTo(0);
        assertThat(out).containsPattern("1\\s+BACKPROP\\s+-?[0-9.]+\\s+[0-9.]+\\s+4/4")
                .containsPattern("3\\s+ADJOINT\\s+-?[0-9.]+\\s+[0-9.]+\\s+12/12");
    }

    @Test
    void rejectsAStepCountBelowOne() {
        int[] exit = new int[1];
        run(exit, "--steps", "0");
        assertThat(exit[0]).isNotEqualTo(0);
    }
}
