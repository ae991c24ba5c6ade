package io.vhdstream.cli;

/**
 * Every exit status of {@code vhdstream}, in one place. Scripts branch on these; never renumber one.
 */
public final class ExitCodes {
    /** Done; for {@code check}: the image is clean. */
    public static final int OK = 0;
    /**
     * The operation failed (engine or I/O error, Kafka unreachable or refusing); for {@code check}: problems were
     * found. A service manager may retry.
     */
    public static final int FAILURE = 1;
    /**
     * Bad usage: unknown verb or option, missing or malformed argument, unaligned offset, missing input, a
     * configuration mistake (CONFIG). Retrying will not help.
     */
    public static final int USAGE = 2;

    private ExitCodes() {
    }

    /** Exit-code lines for {@code --help} (picocli's "code:description" form). */
    static final String HELP_OK = OK + ":Success.";
    static final String HELP_FAILURE = FAILURE + ":Failure: an engine or I/O error (one line on stderr).";
    static final String HELP_USAGE = USAGE + ":Usage or configuration error: bad arguments or settings, unaligned offset or length.";
}
