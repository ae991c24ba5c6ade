package io.vhdstream.topology.config;

/**
 * One way a topic differs from what the pipeline needs. An {@link Severity#ERROR} breaks the pipeline (a missing
 * topic, records it cannot hold, data it would delete); a {@link Severity#WARNING} is a difference that may have
 * been chosen on purpose (more partitions, another replication factor).
 */
public record TopicFinding(String topic, String role, Severity severity, String message) {
    public enum Severity { ERROR, WARNING }

    public boolean error() {
        return severity == Severity.ERROR;
    }

    /** {@code topic vhdstream-commands: cleanup.policy=compact, needs delete (...)}. */
    @Override
    public String toString() {
        return "topic " + topic + ": " + message;
    }
}
