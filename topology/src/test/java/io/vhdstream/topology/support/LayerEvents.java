package io.vhdstream.topology.support;

import io.vhdstream.schemas.deadletter.DeadLetter;
import io.vhdstream.schemas.layer.LayerEvent;
import io.vhdstream.schemas.layer.LayerSealed;
import io.vhdstream.schemas.serde.AvroSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Reads the output topics from the beginning with read_committed consumers (what exactly-once publishes). */
public final class LayerEvents implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> layers;
    private final KafkaConsumer<byte[], byte[]> deadLetters;
    private final List<LayerEvent> events = new ArrayList<>();
    private final List<DeadLetter> dead = new ArrayList<>();

    public LayerEvents(String bootstrap, String layersTopic, String deadLetterTopic, int partitions) {
        layers = consumer(bootstrap, layersTopic, partitions);
        deadLetters = consumer(bootstrap, deadLetterTopic, partitions);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String topic, int partitions) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        c.assign(tps);
        c.seekToBeginning(tps);
        return c;
    }

    /** Polls until {@code done} holds for the events read so far (or the timeout passes). */
    public List<LayerEvent> awaitLayers(Predicate<List<LayerEvent>> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(events) && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : layers.poll(Duration.ofMillis(200))) {
                events.add(AvroSerdes.layerEvent().deserialize(r.topic(), r.value()));
            }
        }
        return List.copyOf(events);
    }

    /** Everything currently readable from the dead-letter topic. */
    public List<DeadLetter> drainDeadLetters(Duration quiet) {
        long idleSince = System.nanoTime();
        while (System.nanoTime() - idleSince < quiet.toNanos()) {
            var batch = deadLetters.poll(Duration.ofMillis(200));
            for (ConsumerRecord<byte[], byte[]> r : batch) {
                dead.add(AvroSerdes.deadLetter().deserialize(r.topic(), r.value()));
                idleSince = System.nanoTime();
            }
        }
        return List.copyOf(dead);
    }

    public static List<LayerSealed> sealed(List<LayerEvent> events, String diskId) {
        List<LayerSealed> out = new ArrayList<>();
        for (LayerEvent e : events) {
            if (e.getPayload() instanceof LayerSealed s && s.getDiskId().equals(diskId)) {
                out.add(s);
            }
        }
        return out;
    }

    public static long sealedCount(List<LayerEvent> events) {
        return events.stream().filter(e -> e.getPayload() instanceof LayerSealed).count();
    }

    @Override
    public void close() {
        layers.close();
        deadLetters.close();
    }
}
