package io.vhdstream.cli;

/**
 * The one exception the CLI throws on purpose: a stable error code, a message for one line of stderr, and
 * the exit status. {@link ErrorHandler} prints it as {@code vhdstream: CODE: message}.
 */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String code;
    private final int exitCode;

    public CliException(int exitCode, String code, String message) {
        this(exitCode, code, message, null);
    }

    public CliException(int exitCode, String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.exitCode = exitCode;
    }

    /** A usage error (exit 2). */
    public static CliException usage(String code, String message) {
        return new CliException(ExitCodes.USAGE, code, message);
    }

    /** A failure of the operation (exit 1). */
    public static CliException failure(String code, String message) {
        return new CliException(ExitCodes.FAILURE, code, message);
    }

    public String code() {
        return code;
    }

    public int exitCode() {
        return exitCode;
    }
}
