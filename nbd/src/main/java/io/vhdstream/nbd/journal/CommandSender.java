package io.vhdstream.nbd.journal;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.serde.AvroSerde;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.config.KafkaLimits;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Sends disk commands to the command topic keyed by disk id (one partition per disk, so the log keeps their
 * order) through one idempotent producer with {@code acks=all}: a callback's success means the record is in
 * every in-sync replica, and retries neither duplicate nor reorder a disk's commands.
 */
public final class CommandSender implements Closeable {
    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final Map<String, Object> clientSettings;
    private final AvroSerde<DiskCommand> serde = AvroSerdes.diskCommand();

    private CommandSender(Producer<byte[], byte[]> producer, String topic, Map<String, Object> clientSettings) {
        this.producer = producer;
        this.topic = topic;
        this.clientSettings = clientSettings;
    }

    /** @param clientSettings bootstrap servers and security settings; they override the record-size defaults */
    public static CommandSender connect(Map<String, ?> clientSettings, String topic) {
        Map<String, Object> c = new HashMap<>(KafkaLimits.producer());
        c.putAll(clientSettings);
        // Not overridable: durability of what FLUSH acknowledges rests on these.
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "vhdstream-nbd");
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new CommandSender(new KafkaProducer<>(c), topic, new HashMap<>(clientSettings));
    }

    public void send(DiskCommand c, Callback callback) {
        producer.send(new ProducerRecord<>(topic, c.getDiskId().getBytes(StandardCharsets.UTF_8), serde.serialize(topic, c)),
                callback);
    }

    public String topic() {
        return topic;
    }

    /** The settings given (for the consumer that reconciles local state with the log). */
    public Map<String, Object> clientSettings() {
        return clientSettings;
    }

    @Override
    public void close() {
        producer.close();
    }
}
