package io.vhdstream.topology.produce;

import io.vhdstream.schemas.Limits;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Write;
import io.vhdstream.schemas.serde.AvroSerde;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.config.KafkaLimits;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends disk commands to the command topic, keyed by disk id (so a disk's commands share a partition and
 * keep their order): a synthetic workload ({@link #sendWorkload}) or the differences between a raw image
 * and a disk's current content ({@link #sendDifferences}). The library side of {@code vhdstream produce}.
 *
 * <p>A Write larger than {@link Limits#MAX_WRITE_BYTES} is refused here, before anything is sent, with an
 * {@link IllegalArgumentException} that says so. The producer is idempotent with {@code acks=all}, so retries
 * neither duplicate nor reorder a disk's commands.
 */
public final class WorkloadProducer implements AutoCloseable {
    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final AvroSerde<DiskCommand> serde = AvroSerdes.diskCommand();
    private final AtomicReference<Exception> sendError = new AtomicReference<>();
    private long sent;
    private long dataBytes;

    public WorkloadProducer(Producer<byte[], byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** A producer with the record-size settings of {@link KafkaLimits}; {@code extra} overrides them. */
    public static WorkloadProducer connect(String bootstrapServers, String topic, Map<String, Object> extra) {
        Map<String, Object> c = new HashMap<>(extra);
        c.putIfAbsent(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return connect(c, topic);
    }

    /**
     * A producer with the record-size settings of {@link KafkaLimits}, idempotent with {@code acks=all};
     * {@code clientSettings} (bootstrap servers, TLS, SASL, ...) override them.
     */
    public static WorkloadProducer connect(Map<String, ?> clientSettings, String topic) {
        Map<String, Object> c = new HashMap<>(KafkaLimits.producer());
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.CLIENT_ID_CONFIG, "vhdstream-workload");
        c.putAll(clientSettings);
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new WorkloadProducer(new KafkaProducer<>(c), topic);
    }

    /** Throws {@link IllegalArgumentException} if {@code c} is a Write with more than {@link Limits#MAX_WRITE_BYTES}. */
    public static void checkSize(DiskCommand c) {
        if (c.getPayload() instanceof Write w && w.getData().remaining() > Limits.MAX_WRITE_BYTES) {
            throw new IllegalArgumentException("write of " + w.getData().remaining() + " bytes at offset " + w.getOffset()
                    + " for disk '" + c.getDiskId() + "' exceeds the limit of " + Limits.MAX_WRITE_BYTES
                    + " bytes per Write command (Limits.MAX_WRITE_BYTES); split it");
        }
    }

    /** Sends one command asynchronously (after {@link #checkSize}). */
    public Future<RecordMetadata> send(DiskCommand c) throws IOException {
        checkSize(c);
        failIfSendFailed();
        byte[] value = serde.serialize(topic, c);
        sent++;
        if (c.getPayload() instanceof Write w) {
            dataBytes += w.getData().remaining();
        }
        return producer.send(new ProducerRecord<>(topic, c.getDiskId().getBytes(StandardCharsets.UTF_8), value),
                (md, e) -> {
                    if (e != null) {
                        sendError.compareAndSet(null, e);
                    }
                });
    }

    /** Sends every command, then flushes; fails on the first send error. Returns how many were sent. */
    public long sendAll(Iterator<DiskCommand> commands) throws IOException {
        long before = sent;
        while (commands.hasNext()) {
            send(commands.next());
        }
        flush();
        return sent - before;
    }

    /** Sends a synthetic workload. */
    public long sendWorkload(WorkloadSpec spec) throws IOException {
        return sendAll(Workloads.commands(spec));
    }

    /** Sends the Writes that make the disk (chain top {@code chainTop}) read like {@code rawImage}. */
    public long sendDifferences(String diskId, Path rawImage, Path chainTop) throws IOException {
        List<DiskCommand> writes = Workloads.differences(diskId, rawImage, chainTop, Limits.MAX_WRITE_BYTES);
        return sendAll(writes.iterator());
    }

    public void flush() throws IOException {
        producer.flush();
        failIfSendFailed();
    }

    /** Commands sent so far, and the data bytes their Writes carried. */
    public long sent() {
        return sent;
    }

    public long dataBytes() {
        return dataBytes;
    }

    private void failIfSendFailed() throws IOException {
        Exception e = sendError.get();
        if (e != null) {
            throw new IOException("sending to " + topic + " failed: " + e.getMessage(), e);
        }
    }

    /** Waits for one send; for callers that need the offset. */
    public static RecordMetadata await(Future<RecordMetadata> f) throws IOException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
