package io.vhdstream.cli;

import io.vhdstream.cli.util.ProgressBar;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * Base of every verb: the command's writers, the process streams and progress bars. Verbs return their
 * exit status, print through {@link #out()} (never {@code System.out}) and report failure by throwing.
 */
public abstract class VerbCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    protected Terminal terminal() {
        return ((VhdstreamCommand) spec.root().userObject()).terminal();
    }

    /** {@code --debug} was given, anywhere on the command line. */
    protected boolean debug() {
        for (var p = spec.root().commandLine().getParseResult(); p != null; p = p.hasSubcommand() ? p.subcommand() : null) {
            if (p.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }

    /** A progress bar on stderr when it is a terminal, otherwise one that draws nothing. */
    protected ProgressBar progress(String label) {
        return terminal().interactive() ? ProgressBar.on(err(), label) : ProgressBar.silent();
    }

    /** The bar as {@code options} (-p, -q) and the terminal say. */
    protected ProgressBar progress(ProgressOptions options, String label) {
        return options.bar(terminal(), err(), label);
    }

    /** A one-line report of what was done: on stderr, and not with -q. */
    protected void summary(ProgressOptions options, String line) {
        options.summary(err(), io.vhdstream.cli.util.Text.oneLine(line));
    }
}
