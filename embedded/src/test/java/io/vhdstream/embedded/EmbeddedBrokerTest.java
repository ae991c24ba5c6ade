package io.vhdstream.embedded;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The embedded broker is a real broker: a 1 MiB record goes through it, and it restarts on its data. */
class EmbeddedBrokerTest {
    @TempDir
    Path dir;

    @Test
    void bigRecordRoundTripsAndSurvivesRestart() throws Exception {
        byte[] value = new byte[1 << 20];
        Arrays.fill(value, (byte) 7);
        try (EmbeddedBroker b = EmbeddedBroker.start(dir, 0)) {
            b.createTopics(Map.of("t", 1));
            try (var p = new KafkaProducer<byte[], byte[]>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers(),
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG, EmbeddedBroker.MAX_MESSAGE_BYTES),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                p.send(new ProducerRecord<>("t", "k".getBytes(), value)).get();
            }
        }
        try (EmbeddedBroker b = EmbeddedBroker.start(dir, 0);
             var c = new KafkaConsumer<byte[], byte[]>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers(),
                     ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.GROUP_ID_CONFIG, "g",
                     ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, EmbeddedBroker.MAX_MESSAGE_BYTES),
                     new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of("t"));
            ConsumerRecords<byte[], byte[]> got = ConsumerRecords.empty();
            long deadline = System.currentTimeMillis() + 30_000;
            while (got.isEmpty() && System.currentTimeMillis() < deadline) {
                got = c.poll(Duration.ofMillis(500));
            }
            assertEquals(1, got.count());
            assertArrayEquals(value, got.iterator().next().value());
        }
    }
}
