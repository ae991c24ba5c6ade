package io.vhdstream.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Stdout as the verbs stream data to it. When the reader goes away ({@code vhdstream vhd export d.vhd - | head}),
 * the write fails with EPIPE; that is the reader's choice, not an error, so it surfaces as {@link Closed},
 * which the error handler turns into a quiet exit 0.
 */
final class ClosedStdout extends FilterOutputStream {
    /** The reader of stdout closed it. */
    static final class Closed extends IOException {
        private static final long serialVersionUID = 1L;

        Closed(IOException cause) {
            super("stdout was closed by its reader", cause);
        }
    }

    ClosedStdout(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        try {
            out.write(b);
        } catch (IOException e) {
            throw translate(e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw translate(e);
        }
    }

    @Override
    public void flush() throws IOException {
        try {
            out.flush();
        } catch (IOException e) {
            throw translate(e);
        }
    }

    private static IOException translate(IOException e) {
        String m = e.getMessage();
        return m != null && m.contains("Broken pipe") ? new Closed(e) : e;
    }
}
