package io.vhdstream.topology.config;

import java.io.IOException;

/**
 * The cluster cannot be used as configured: unreachable, refusing our credentials, or missing or misconfigured
 * topics. The message is one line that names what was tried and, where there is one, the fix; {@link #code()}
 * is a stable word for the CLI's error line.
 */
public final class ClusterProblem extends IOException {
    private static final long serialVersionUID = 1L;

    /** What is wrong. */
    public enum Kind {
        /** No bootstrap server answered (refused, unknown host, timed out, wrong protocol). */
        UNREACHABLE,
        /** TLS handshake or SASL authentication failed. */
        AUTHENTICATION,
        /** The cluster refused an operation to this principal (ACLs). */
        NOT_AUTHORIZED,
        /** A topic the pipeline needs does not exist, or its settings contradict what it needs. */
        TOPICS
    }

    private final Kind kind;

    public ClusterProblem(Kind kind, String message) {
        this(kind, message, null);
    }

    public ClusterProblem(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** The code for error lines: the kind's name. */
    public String code() {
        return kind.name();
    }
}
