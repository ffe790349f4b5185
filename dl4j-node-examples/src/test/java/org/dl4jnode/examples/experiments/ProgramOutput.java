package org.dl4jnode.examples.experiments;

import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs an experiment's command line as {@code main} would, and returns what it printed once it succeeded. */
public final class ProgramOutput {

    private ProgramOutput() {
    }

    /** Executes {@code command} (a picocli command) with {@code args}, asserts exit code 0, returns standard output. */
    public static String of(Object command, String... args) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int code;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            code = new CommandLine(command).execute(args);
        } finally {
            System.setOut(original);
        }
        String out = printed.toString(StandardCharsets.UTF_8);
        assertThat(code).as(out).isZero();
        return out;
    }
}
