package io.vhdstream.topology.recovery;

import java.util.Map;

/**
 * One partition of the checkpoint topic, read once from its start to its end (committed records only): what a
 * layer store with no layer directory loads before it replays the commands after it.
 */
public interface CheckpointLog extends AutoCloseable {

    /** Opens a checkpoint log from the Streams application's configuration. */
    @FunctionalInterface
    interface Factory {
        CheckpointLog open(Map<String, Object> appConfigs);
    }

    /** Receives records in offset order; a null value is a compaction tombstone. */
    @FunctionalInterface
    interface RecordHandler {
        void accept(byte[] key, byte[] value, long offset) throws java.io.IOException;
    }

    /**
     * Hands every record of {@code partition} from the start to the end it has when the call begins. Throws Kafka's
     * {@code TimeoutException} when the cluster stops answering (Streams retries the task's initialisation).
     */
    void readAll(int partition, RecordHandler handler) throws java.io.IOException;

    @Override
    void close();
}
