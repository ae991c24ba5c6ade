package io.vhdstream.nbd.server;

/** A server setting that cannot work or is unsafe; the message says which and what to do. */
public final class NbdConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public NbdConfigException(String message) {
        super(message);
    }

    public NbdConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
