package org.dl4jnode.mnist;

import picocli.CommandLine;

/**
 * Reports a command's failure (no data, no model, no Spark master, a bad image) as one line on the
 * command line's error stream, {@code "mnist-ode evaluate: <message>"}, and exits with 1, instead of
 * a stack trace. Usage errors stay picocli's (exit 2).
 */
public final class OneLineFailures implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
        command.getErr().println(command.getCommandSpec().root().name() + " " + command.getCommandName() + ": "
                + e.getMessage());
        return 1;
    }
}
