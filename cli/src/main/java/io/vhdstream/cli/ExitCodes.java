package io.vhdstream.cli;

/**
 * Every exit status of {@code vhdstream}, in one place. Scripts branch on these; never renumber one.
 */
public final class ExitCodes {
    /** Done; for {@code check}: the image is clean. */
    public static final int OK = 0;
    /** The operation failed (engine or I/O error); for {@code check}: problems were found. */
    public static final int FAILURE = 1;
    /** Bad usage: unknown verb or option, missing or malformed argument, unaligned offset, missing input. */
    public static final int USAGE = 2;

    private ExitCodes() {
    }

    /** Exit-code lines for {@code --help} (picocli's "code:description" form). */
    static final String HELP_OK = OK + ":Success.";
    static final String HELP_FAILURE = FAILURE + ":Failure: an engine or I/O error (one line on stderr).";
    static final String HELP_USAGE = USAGE + ":Usage error: bad arguments, unaligned offset or length.";
}
