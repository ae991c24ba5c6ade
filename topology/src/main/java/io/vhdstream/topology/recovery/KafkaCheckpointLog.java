package io.vhdstream.topology.recovery;

import io.vhdstream.topology.catalog.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@link CheckpointLog} through a consumer with the Streams application's restore-consumer settings (TLS, SASL
 * included), reading committed records only: a checkpoint counts once the transaction that published it (with
 * the offsets of the commands it reflects) committed.
 */
public final class KafkaCheckpointLog implements CheckpointLog {
    /** No progress for this long: the cluster is not answering. The read as a whole has no time limit. */
    private static final Duration STALL = Duration.ofSeconds(60);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;

    private KafkaCheckpointLog(Map<String, Object> consumerSettings, String topic) {
        this.consumer = new KafkaConsumer<>(consumerSettings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
    }

    /** Checkpoint logs of {@code topic}, each with a consumer of its own (a load is rare: a lost directory). */
    public static Factory factory(String topic) {
        return appConfigs -> {
            StreamsConfig sc = new StreamsConfig(appConfigs);
            // Streams' restore consumer settings, read as every whole-topic reader reads (committed records, no group)
            String clientId = sc.getString(StreamsConfig.APPLICATION_ID_CONFIG) + "-checkpoint-loader";
            return new KafkaCheckpointLog(TopicReader.consumerSettings(sc.getRestoreConsumerConfigs(clientId), clientId), topic);
        };
    }

    /** {@code topic} read with {@code clientSettings} (bootstrap servers, TLS, SASL), as every whole-topic reader reads. */
    public static KafkaCheckpointLog open(Map<String, Object> clientSettings, String topic) {
        return new KafkaCheckpointLog(TopicReader.consumerSettings(clientSettings, "vhdstream-checkpoint-reader"), topic);
    }

    @Override
    public void readAll(int partition, RecordHandler handler) throws IOException {
        TopicPartition tp = new TopicPartition(topic, partition);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        long end = consumer.endOffsets(List.of(tp), STALL).get(tp);   // the last stable offset, read_committed
        long lastProgress = System.nanoTime();
        while (consumer.position(tp, STALL) < end) {
            var records = consumer.poll(Duration.ofMillis(500));
            if (!records.isEmpty()) {
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                throw new TimeoutException("no checkpoint records from " + tp + " for " + STALL + " at offset "
                        + consumer.position(tp) + " of " + end);
            }
            for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                if (r.offset() >= end) {
                    return;
                }
                handler.accept(r.key(), r.value(), r.offset());
            }
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
