package io.vhdstream.cli;

import picocli.CommandLine;

import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * Builds the {@code vhdstream} command line: the command tree, the writers over the given streams, and the
 * error handler. {@link Main} and the tests both start here, so tests see exactly what users see.
 */
public final class Cli {
    private Cli() {
    }

    public static CommandLine commandLine(Terminal terminal) {
        CommandLine cli = new CommandLine(new VhdstreamCommand(terminal));
        cli.setOut(writer(terminal.out()));
        cli.setErr(writer(terminal.err()));
        ErrorHandler handler = new ErrorHandler();
        cli.setExecutionExceptionHandler(handler);
        cli.setParameterExceptionHandler(handler);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        return cli;
    }

    /** Runs one invocation and flushes both writers; returns the exit status (see {@link ExitCodes}). */
    public static int execute(CommandLine cli, String... args) {
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            cli.getErr().println(ErrorHandler.line("INTERNAL", "out of memory (raise it with VHDSTREAM_JAVA_OPTS=-Xmx...)"));
            return ExitCodes.FAILURE;
        } finally {
            cli.getOut().flush();
            cli.getErr().flush();
        }
    }

    private static PrintWriter writer(OutputStream stream) {
        // UTF-8 always: JSON must be UTF-8, and paths from images are Unicode.
        return new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), true);
    }
}
