package io.vhdstream.nbd.protocol;

import java.io.IOException;

/** A request the server answers with an NBD error code ({@link Nbd#EINVAL} and so on) and a message. */
public final class NbdError extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public NbdError(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public NbdError(int errno, String message, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
