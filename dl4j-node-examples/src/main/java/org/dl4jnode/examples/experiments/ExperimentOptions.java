package org.dl4jnode.examples.experiments;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What every experiment program shares, as a picocli mixin ({@code @Mixin ExperimentOptions options;}): the random
 * seed, the folder its PNG figure goes to, the usage error for a bad option, and the program's {@code main}.
 */
public final class ExperimentOptions {

    @Option(names = "--seed", defaultValue = "42", description = "random seed of the data and the weights (default ${DEFAULT-VALUE})")
    private long seed;
    @Option(names = "--out", defaultValue = "docs/figures", description = "where the PNG figure goes (default ${DEFAULT-VALUE})")
    private Path out;
    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    public long seed() {
        return seed;
    }

    /** Fails the command with picocli's usage error, {@code message}, unless {@code valid}. */
    public void require(boolean valid, String message) {
        if (!valid) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }

    /** Where the figure {@code fileName} goes, its folder created. */
    public Path figure(String fileName) throws IOException {
        Files.createDirectories(out);
        return out.resolve(fileName);
    }

    /** Runs {@code command} as its program's {@code main}: charts drawn headless, picocli's exit code. */
    public static void main(Object command, String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(command).execute(args));
    }
}
