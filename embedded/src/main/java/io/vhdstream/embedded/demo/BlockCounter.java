package io.vhdstream.embedded.demo;

import io.vhdstream.embedded.EmbeddedBroker;
import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.ChangedBlock;
import io.vhdstream.schemas.block.EndOfLayer;
import io.vhdstream.schemas.block.SourceError;
import io.vhdstream.schemas.block.StartOfLayer;
import io.vhdstream.schemas.block.ZeroExtent;
import io.vhdstream.schemas.serde.AvroSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Tails the blocks topic and counts what the source emitted. */
final class BlockCounter implements AutoCloseable {
    final AtomicLong records = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong resyncs = new AtomicLong();
    /** The first few source errors, as "CODE path: message", so a failed check says what went wrong. */
    final List<String> firstErrors = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    private BlockCounter(Map<String, Object> client) {
        Map<String, Object> c = new HashMap<>(client);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, EmbeddedBroker.MAX_MESSAGE_BYTES);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.assign(List.of(new org.apache.kafka.common.TopicPartition(PipelineSettings.BLOCKS_TOPIC, 0),
                new org.apache.kafka.common.TopicPartition(PipelineSettings.SOURCE_ERRORS_TOPIC, 0)));
        Deserializer<BlockEvent> de = AvroSerdes.blockEvent().deserializer();
        thread = new Thread(() -> {
            try (consumer) {
                while (running.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        count(de.deserialize(r.topic(), r.value()));
                    }
                }
            }
        }, "demo-block-counter");
        thread.setDaemon(true);
    }

    /** "N source errors", followed by the first few of them. */
    String errorSummary() {
        long n = errors.get();
        return n + " source errors" + (firstErrors.isEmpty() ? "" : " (" + String.join("; ", firstErrors) + ")");
    }

    static BlockCounter start(Map<String, Object> client) {
        BlockCounter b = new BlockCounter(client);
        b.thread.start();
        return b;
    }

    private void count(BlockEvent e) {
        Object p = e == null ? null : e.getPayload();
        if (p instanceof ChangedBlock c) {
            records.incrementAndGet();
            bytes.addAndGet(c.getLength());
        } else if (p instanceof ZeroExtent z) {
            records.incrementAndGet();
            bytes.addAndGet(z.getLength());
        } else if (p instanceof EndOfLayer) {
            records.incrementAndGet();
        } else if (p instanceof SourceError se) {
            if (errors.incrementAndGet() <= 3) {
                firstErrors.add(se.getReasonCode() + " " + se.getPath() + ": " + se.getMessage());
            }
        } else if (p instanceof StartOfLayer s && s.getResync() != null) {
            resyncs.incrementAndGet();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(5000);
    }
}
