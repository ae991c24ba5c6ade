package io.vhdstream.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's standard streams as the commands see them. Text goes through the {@code CommandLine}'s
 * writers (built on {@link #out()} and {@link #err()}); {@code read}, {@code write}, {@code export} and
 * {@code import} stream raw bytes through {@link #out()} and {@link #in()}. Tests pass in-memory streams.
 *
 * @param interactive    stderr is a terminal: long operations draw a progress bar on it (unless -q)
 * @param stdoutTerminal stdout is a terminal: disk data is not written to it
 */
public record Terminal(InputStream in, OutputStream out, OutputStream err, boolean interactive, boolean stdoutTerminal) {

    /** Both streams terminals or neither. */
    public Terminal(InputStream in, OutputStream out, OutputStream err, boolean interactive) {
        this(in, out, err, interactive, interactive);
    }

    /** The real process streams, unbuffered (commands write large chunks). */
    public static Terminal system() {
        return new Terminal(new FileInputStream(FileDescriptor.in), new ClosedStdout(new FileOutputStream(FileDescriptor.out)),
                new FileOutputStream(FileDescriptor.err), isTerminal(2), isTerminal(1));
    }

    /**
     * Whether file descriptor {@code fd} is a terminal. Java cannot ask isatty(3) for one descriptor
     * ({@code System.console()} needs stdin and stdout both), so read where /proc says it points.
     */
    static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null; // no /proc (not Linux): the best guess there is
        }
    }
}
