package io.vhdstream.cli;

import io.vhdstream.topology.config.ClusterProblem;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * The error line for configuration mistakes and for a cluster that is down or refuses us. A class of its own
 * so that Kafka's classes are loaded only when such an error happens, not on every start of the CLI.
 */
final class KafkaFailures {
    private KafkaFailures() {
    }

    /** The failure for {@code ex}, or null when it is neither a configuration nor a Kafka problem. */
    static ErrorHandler.Failure describe(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConfigException c) {
                return new ErrorHandler.Failure("CONFIG", c.getMessage(), ExitCodes.USAGE);
            }
            if (t instanceof ClusterProblem p) {
                return new ErrorHandler.Failure(p.code(), p.getMessage(), ExitCodes.FAILURE);
            }
        }
        if (ex instanceof AuthenticationException) {
            return new ErrorHandler.Failure("AUTHENTICATION", ex.getMessage(), ExitCodes.FAILURE);
        }
        if (ex instanceof AuthorizationException) {
            return new ErrorHandler.Failure("NOT_AUTHORIZED", ex.getMessage(), ExitCodes.FAILURE);
        }
        if (ex instanceof TimeoutException) {
            return new ErrorHandler.Failure("UNREACHABLE", "Kafka did not answer in time: " + ex.getMessage(), ExitCodes.FAILURE);
        }
        if (ex instanceof KafkaException) {
            return new ErrorHandler.Failure("KAFKA", ex.getMessage() + (ex.getCause() != null && ex.getCause() != ex
                    ? ": " + ex.getCause().getMessage() : ""), ExitCodes.FAILURE);
        }
        return null;
    }
}
