package io.vhdstream.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The process's standard streams as the commands see them. Text goes through the {@code CommandLine}'s
 * writers (built on {@link #out()} and {@link #err()}); {@code read} and {@code write} stream raw bytes
 * through {@link #out()} and {@link #in()}. Tests pass in-memory streams.
 *
 * @param interactive stderr is a terminal: long operations draw a progress bar on it
 */
public record Terminal(InputStream in, OutputStream out, OutputStream err, boolean interactive) {

    /** The real process streams, unbuffered (commands write large chunks), progress when on a console. */
    public static Terminal system() {
        return new Terminal(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out),
                new FileOutputStream(FileDescriptor.err), System.console() != null);
    }
}
