package org.dl4jnode.examples;

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
        assertThat(out).contains("FieldFunction.evaluateWithVjp").contains("op: tanh in place");
        assertThat(out.lines().skip(1)).hasSize(13).allMatch(line -> line.matches("\\s+.+\\s+[0-9]+\\.[0-9]"));
    }

    @Test
    void rejectsNonPositiveSizes() {
        assertThat(new CommandLine(new FieldCostProfile()).execute("--calls", "0")).isNotEqualTo(0);
    }
}
