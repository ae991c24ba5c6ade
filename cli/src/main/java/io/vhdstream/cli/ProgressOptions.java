package io.vhdstream.cli;

import io.vhdstream.cli.util.ProgressBar;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/**
 * {@code -p} and {@code -q} for verbs that do long work or report what they did. By default the progress bar
 * is drawn when stderr is a terminal; {@code -p} draws it anyway, {@code -q} never, and {@code -q} also drops
 * the one-line summary. Summaries go to stderr: stdout carries only what was asked for (data, reports, JSON).
 */
public final class ProgressOptions {
    @Option(names = {"-p", "--progress"}, description = "Show a progress bar on stderr even when it is not a terminal.")
    boolean progress;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar and no summary line.")
    boolean quiet;

    ProgressBar bar(Terminal terminal, PrintWriter err, String label) {
        boolean draw = !quiet && (progress || terminal.interactive());
        return draw ? ProgressBar.on(err, label) : ProgressBar.silent();
    }

    void summary(PrintWriter err, String line) {
        if (!quiet) {
            err.println(line);
            err.flush();
        }
    }
}
