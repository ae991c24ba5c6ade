package io.vhdstream.topology.store;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link InputReplayer} with a plain consumer configured like Streams' restore consumer (same cluster,
 * security settings and isolation level, no group, {@code auto.offset.reset=none}).
 */
public final class KafkaInputReplayer implements InputReplayer {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration timeout;

    public KafkaInputReplayer(Map<String, Object> consumerConfigs, Duration timeout) {
        Map<String, Object> c = new HashMap<>(consumerConfigs);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(c);
        this.timeout = timeout;
    }

    /** Replayers for a Streams application: its restore-consumer configuration. */
    public static Factory factory(Duration timeout) {
        return appConfigs -> {
            StreamsConfig sc = new StreamsConfig(appConfigs);
            String clientId = sc.getString(StreamsConfig.APPLICATION_ID_CONFIG) + "-layer-catch-up";
            return new KafkaInputReplayer(sc.getRestoreConsumerConfigs(clientId), timeout);
        };
    }

    @Override
    public long replay(TopicPartition tp, long from, long until, Handler handler) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long delivered = 0;
        consumer.assign(List.of(tp));
        consumer.seek(tp, from);
        try {
            while (consumer.position(tp) < until) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : batch.records(tp)) {
                    if (r.offset() >= until) {
                        return delivered;
                    }
                    handler.accept(r);
                    delivered++;
                }
                if (batch.isEmpty() && System.nanoTime() > deadline) {
                    throw new IOException("could not read " + tp + " from offset " + from + " to " + until + " within "
                            + timeout + " (reached " + consumer.position(tp) + ")");
                }
            }
            return delivered;
        } catch (OffsetOutOfRangeException e) {
            throw new IOException(tp + " no longer holds offset " + from + " (retention removed it?): the layers of "
                    + "this partition cannot be rebuilt from the input topic", e);
        } finally {
            consumer.unsubscribe();
        }
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
