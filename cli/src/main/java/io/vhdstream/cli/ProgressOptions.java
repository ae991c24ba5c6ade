package io.vhdstream.cli;

import io.vhdstream.cli.util.ProgressBar;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;

/**
 * {@code -p} and {@code -q} for verbs that do long work or report what they did. By default the progress bar
 * is drawn when stderr is a terminal; {@code -p} draws it anyway, {@code -q} never, and {@code -q} also drops
 * the one-line summary. Summaries go to stderr: stdout carries only what was asked for (data, reports, JSON).
 */
public final class ProgressOptions {
    private static final String PROGRESS_HELP = "Show a progress bar on stderr even when it is not a terminal.";
    private static final String QUIET_HELP = "No progress bar and no summary line.";

    private final Models.Value<Boolean> progress;
    private final Models.Value<Boolean> quiet;

    private ProgressOptions(Models.Value<Boolean> progress, Models.Value<Boolean> quiet) {
        this.progress = progress;
        this.quiet = quiet;
    }

    /** The two options on {@code spec} (a {@link CodedCommand}'s model), read by the options returned. */
    public static ProgressOptions declareOn(CommandSpec spec) {
        return new ProgressOptions(Models.flag(spec, new String[] {"-p", "--progress"}, PROGRESS_HELP),
                Models.flag(spec, new String[] {"-q", "--quiet"}, QUIET_HELP));
    }

    ProgressBar bar(Terminal terminal, PrintWriter err, String label) {
        boolean draw = !quiet.value() && (progress.value() || terminal.interactive());
        return draw ? ProgressBar.on(err, label) : ProgressBar.silent();
    }

    void summary(PrintWriter err, String line) {
        if (!quiet.value()) {
            err.println(line);
            err.flush();
        }
    }
}
