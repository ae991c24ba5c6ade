package io.vhdstream.topology.support;

import io.vhdstream.topology.recovery.InputLog;
import org.apache.kafka.common.TopicPartition;

/** {@link InputLog}s for tests without a broker. */
public final class InputLogs {
    private InputLogs() {
    }

    /** A log that always reports {@code range}. */
    public static InputLog.Factory fixed(InputLog.Range range) {
        return configs -> new InputLog() {
            @Override
            public Range range(TopicPartition partition) {
                return range;
            }

            @Override
            public void close() {
            }
        };
    }

    /** An empty topic and a group without commits: nothing to restore (the TopologyTestDriver never restores). */
    public static InputLog.Factory nothingToRestore() {
        return fixed(new InputLog.Range(0, 0, null));
    }
}
