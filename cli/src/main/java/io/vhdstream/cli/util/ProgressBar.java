package io.vhdstream.cli.util;

import io.vhdstream.vhd.ProgressListener;

import java.io.PrintWriter;

/**
 * A one-line progress bar redrawn in place on stderr ({@code \r}), at most ten times a second; closing it
 * ends the line so that whatever follows (a result, an error) starts clean. {@link #silent()} draws nothing,
 * for when stderr is not a terminal.
 */
public class ProgressBar implements ProgressListener, AutoCloseable {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final String label;
    private long lastDraw;
    private int lastPercent = -1;
    private boolean drawn;

    private ProgressBar(PrintWriter err, String label) {
        this.err = err;
        this.label = label;
    }

    public static ProgressBar on(PrintWriter err, String label) {
        return new ProgressBar(err, label);
    }

    public static ProgressBar silent() {
        return new ProgressBar(null, null);
    }

    @Override
    public void progress(long done, long total) {
        if (err == null) {
            return;
        }
        int percent = total <= 0 ? 100 : (int) Math.min(100, Math.max(0, done * 100.0 / total));
        long now = System.nanoTime();
        if (percent == lastPercent || (drawn && percent < 100 && now - lastDraw < REDRAW_NANOS)) {
            return;
        }
        lastDraw = now;
        lastPercent = percent;
        drawn = true;
        err.print("\r" + render(label, done, total));
        err.flush();
    }

    /** The bar text, without the leading carriage return. */
    static String render(String label, long done, long total) {
        int percent = total <= 0 ? 100 : (int) Math.min(100, Math.max(0, done * 100.0 / total));
        int filled = percent * WIDTH / 100;
        return String.format("%s [%s%s] %3d%% %s / %s", label, "#".repeat(filled), " ".repeat(WIDTH - filled), percent,
                Sizes.human(Math.max(0, done)), Sizes.human(Math.max(0, total)));
    }

    @Override
    public void close() {
        if (err != null && drawn) {
            err.println();
            err.flush();
        }
    }
}
