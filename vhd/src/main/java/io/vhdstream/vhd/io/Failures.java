package io.vhdstream.vhd.io;

import java.io.IOException;

/** Hands a failure caught on a background I/O thread to the thread that waits for that thread's results. */
public final class Failures {
    private Failures() {
    }

    /**
     * Throws {@code t} itself if it is unchecked (a bug or a VM error must surface as what it is); otherwise
     * returns it as an IOException for the caller to throw: {@code throw Failures.rethrow(t);}.
     */
    public static IOException rethrow(Throwable t) {
        if (t instanceof IOException e) {
            return e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IOException(t);
    }
}
