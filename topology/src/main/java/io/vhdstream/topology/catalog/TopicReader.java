package io.vhdstream.topology.catalog;

import io.vhdstream.topology.config.ClusterProblem;
import io.vhdstream.topology.config.KafkaLimits;
import io.vhdstream.topology.config.TopicChecks;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Reads a whole topic from its first record, without a consumer group (nothing is committed): up to the end
 * offsets it had when reading began, or on until told to stop ({@code follow}). Only committed transactions are
 * read (the topology writes with exactly-once). For the commands that show what the topology published.
 */
public final class TopicReader {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private TopicReader() {
    }

    /**
     * Passes every record of {@code topic} to {@code sink}, partition by partition in offset order (partitions
     * interleaved). With {@code follow}, keeps reading new records until {@code stop} returns true.
     */
    public static void read(Map<String, ?> clientSettings, String topic, boolean follow, BooleanSupplier stop,
                            Consumer<ConsumerRecord<byte[], byte[]>> sink) throws ClusterProblem {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerSettings(clientSettings, "vhdstream-reader"))) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, WAIT);
            if (infos == null || infos.isEmpty()) {
                throw new ClusterProblem(ClusterProblem.Kind.TOPICS, "topic " + topic + " does not exist: " + TopicChecks.FIX);
            }
            List<TopicPartition> parts = new ArrayList<>();
            infos.forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, WAIT);
            while (follow ? !stop.getAsBoolean() : !atEnd(consumer, end)) {
                consumer.poll(POLL).forEach(sink);
            }
        } catch (org.apache.kafka.common.errors.TopicAuthorizationException e) {
            throw new ClusterProblem(ClusterProblem.Kind.NOT_AUTHORIZED, "not allowed to read topic " + topic + " (ACLs): "
                    + e.getMessage(), e);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new ClusterProblem(ClusterProblem.Kind.UNREACHABLE, "no answer within " + WAIT.toSeconds()
                    + " s reading topic " + topic + ": " + e.getMessage(), e);
        }
    }

    /**
     * Settings of a consumer that reads topics whole without a group: {@code clientSettings} over the record-size
     * limits, committed transactions only, bytes in and out, {@code clientId} unless one is set.
     */
    public static Map<String, Object> consumerSettings(Map<String, ?> clientSettings, String clientId) {
        Map<String, Object> c = new HashMap<>(KafkaLimits.consumer());
        c.putAll(clientSettings);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return c;
    }

    /** True once every partition's position reached its end offset (transaction markers count as read). */
    private static boolean atEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
