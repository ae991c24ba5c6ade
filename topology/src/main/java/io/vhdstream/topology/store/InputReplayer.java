package io.vhdstream.topology.store;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.util.Map;

/** Reads a range of one input partition again, outside Streams: the layer store's catch-up and rebuild path. */
public interface InputReplayer extends AutoCloseable {

    /** Makes a replayer from the Streams application's configuration. */
    @FunctionalInterface
    interface Factory {
        InputReplayer create(Map<String, Object> appConfigs);
    }

    @FunctionalInterface
    interface Handler {
        void accept(ConsumerRecord<byte[], byte[]> record) throws IOException;
    }

    /**
     * Delivers, in offset order, the records of {@code partition} with {@code from <= offset < until} that
     * the Streams application's consumer would have seen (same isolation level).
     *
     * @return how many records were delivered
     * @throws IOException if the range cannot be read completely (for example retention deleted part of it)
     */
    long replay(TopicPartition partition, long from, long until, Handler handler) throws IOException;

    @Override
    void close();
}
