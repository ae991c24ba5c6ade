package io.vhdstream.nbd.journal;

import io.vhdstream.schemas.command.CreateDisk;
import io.vhdstream.schemas.command.DeleteDisk;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Trim;
import io.vhdstream.schemas.command.Write;
import io.vhdstream.schemas.serde.AvroSerde;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.config.KafkaLimits;
import io.vhdstream.topology.rebuild.Rebuilder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Brings a disk's {@link LocalImage} up to the end of the command log before the disk is served: the log is
 * the truth. It reads the disk's partition from the image's next offset to the end (as of the start) and
 * applies the disk's CreateDisk, Write, Trim and DeleteDisk commands the way the topology does, skipping the
 * ones the topology would reject (misaligned, past the end, for a disk that does not exist).
 */
final class Reconciler {
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private Reconciler() {
    }

    static void reconcile(String diskId, LocalImage image, Map<String, Object> clientSettings, String topic) throws IOException {
        Map<String, Object> c = new HashMap<>(KafkaLimits.consumer());
        c.putAll(clientSettings);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        byte[] key = diskId.getBytes(StandardCharsets.UTF_8);
        AvroSerde<DiskCommand> serde = AvroSerdes.diskCommand();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            List<PartitionInfo> parts = consumer.partitionsFor(topic, TIMEOUT);
            if (parts == null || parts.isEmpty()) {
                throw new IOException("the command topic " + topic + " does not exist");
            }
            TopicPartition tp = new TopicPartition(topic, Rebuilder.partitionOf(diskId, parts.size()));
            consumer.assign(List.of(tp));
            long start = consumer.beginningOffsets(List.of(tp), TIMEOUT).get(tp);
            long end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
            if (image.next() < start) {
                throw new IOException("the log of " + tp + " starts at offset " + start + " but the local state of disk '"
                        + diskId + "' needs offset " + image.next() + " (records deleted by retention)");
            }
            consumer.seek(tp, image.next());
            long applied = 0;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(tp, TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("reading " + tp + " to offset " + end + " took longer than " + TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() >= end || !Arrays.equals(key, r.key()) || r.value() == null) {
                        continue;
                    }
                    DiskCommand cmd;
                    try {
                        cmd = serde.deserialize(topic, r.value());
                    } catch (SerializationException e) {
                        continue;   // undecodable: the topology dead-letters it
                    }
                    if (diskId.equals(cmd.getDiskId())) {
                        apply(image, cmd.getPayload());
                        applied++;
                    }
                }
            }
            image.checkpoint(end);
            log.info("disk '{}': {} commands applied from the log ({} up to offset {})", diskId, applied, tp, end);
        }
    }

    static void apply(LocalImage image, Object p) throws IOException {
        if (p instanceof Write w) {
            if (image.valid(w.getOffset(), w.getData().remaining())) {
                image.write(w.getOffset(), w.getData().duplicate());
            }
        } else if (p instanceof Trim t) {
            if (image.valid(t.getOffset(), t.getLength())) {
                image.zero(t.getOffset(), t.getLength());
            }
        } else if (p instanceof CreateDisk cd) {
            if (!image.exists() && !image.deleted()) {
                image.create(cd.getVirtualSize(), cd.getBlockSize());
            }
        } else if (p instanceof DeleteDisk) {
            image.delete();
        }
    }
}
