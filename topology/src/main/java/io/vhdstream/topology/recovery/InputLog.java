package io.vhdstream.topology.recovery;

import org.apache.kafka.common.TopicPartition;

import java.util.Map;

/**
 * What the command topic still holds for one partition, and how far the Streams application's consumer group
 * has committed in it: the facts a layer store needs before Kafka Streams restores it, to know the range it
 * will replay and whether retention already deleted part of it.
 */
public interface InputLog extends AutoCloseable {

    /** Opens an input log from the Streams application's configuration. */
    @FunctionalInterface
    interface Factory {
        InputLog open(Map<String, Object> appConfigs);
    }

    /**
     * @param logStart  the partition's log start offset (the oldest offset retention left)
     * @param logEnd    the partition's end offset, or as far as anything matters (the group's committed offset)
     * @param committed the group's committed offset (next record to process), or null if it has none
     */
    record Range(long logStart, long logEnd, Long committed) {
        /** The offset Streams' restoration of a source-topic changelog stops at: min(end, committed), 0 without a commit. */
        public long restoreEnd() {
            return Math.min(logEnd, committed == null ? 0 : committed);
        }
    }

    /**
     * The partition's range. Throws Kafka's {@code TimeoutException} when the cluster does not answer in time
     * (Kafka Streams retries a task whose initialisation times out, up to {@code task.timeout.ms}).
     */
    Range range(TopicPartition partition);

    @Override
    void close();
}
