package io.vhdstream.topology.support;

import io.vhdstream.topology.recovery.CheckpointLog;

import java.io.IOException;
import java.util.List;

/** {@link CheckpointLog}s for tests without a broker. */
public final class CheckpointLogs {
    /** A record of the checkpoint topic. */
    public record Rec(int partition, byte[] key, byte[] value) {
    }

    private CheckpointLogs() {
    }

    /** A checkpoint topic holding {@code records} (every partition's, in publication order). */
    public static CheckpointLog.Factory of(List<Rec> records) {
        return configs -> new CheckpointLog() {
            @Override
            public void readAll(int partition, RecordHandler handler) throws IOException {
                long offset = 0;
                for (Rec r : records) {
                    if (r.partition() == partition) {
                        handler.accept(r.key(), r.value(), offset++);
                    }
                }
            }

            @Override
            public void close() {
            }
        };
    }

    /** An empty checkpoint topic. */
    public static CheckpointLog.Factory empty() {
        return of(List.of());
    }
}
