package io.vhdstream.cli;

import io.vhdstream.cli.util.ProgressBar;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/**
 * {@code -p} and {@code -q} for verbs that do long work or report what they did. By default the progress bar
 * is drawn when stderr is a terminal; {@code -p} draws it anyway, {@code -q} never, and {@code -q} also drops
 * the one-line summary. Summaries go to stderr: stdout carries only what was asked for (data, reports, JSON).
 */
public final class ProgressOptions {
    private static final String PROGRESS_HELP = "Show a progress bar on stderr even when it is not a terminal.";
    private static final String QUIET_HELP = "No progress bar and no summary line.";

    @Option(names = {"-p", "--progress"}, description = PROGRESS_HELP)
    boolean progress;

    @Option(names = {"-q", "--quiet"}, description = QUIET_HELP)
    boolean quiet;

    /** Set when the options were declared in code: their values are read from here. */
    private Models.Value<Boolean> declaredProgress;
    private Models.Value<Boolean> declaredQuiet;

    /** The same two options on {@code spec} (a {@link CodedCommand}'s model), read by the options returned. */
    public static ProgressOptions declareOn(CommandSpec spec) {
        ProgressOptions o = new ProgressOptions();
        o.declaredProgress = Models.flag(spec, new String[] {"-p", "--progress"}, PROGRESS_HELP);
        o.declaredQuiet = Models.flag(spec, new String[] {"-q", "--quiet"}, QUIET_HELP);
        return o;
    }

    private boolean quiet() {
        return declaredQuiet != null ? declaredQuiet.value() : quiet;
    }

    private boolean progress() {
        return declaredProgress != null ? declaredProgress.value() : progress;
    }

    ProgressBar bar(Terminal terminal, PrintWriter err, String label) {
        boolean draw = !quiet() && (progress() || terminal.interactive());
        return draw ? ProgressBar.on(err, label) : ProgressBar.silent();
    }

    void summary(PrintWriter err, String line) {
        if (!quiet()) {
            err.println(line);
            err.flush();
        }
    }
}
