package io.vhdstream.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for a generated Avro record, in Avro single-object encoding ({@code C3 01}, 8-byte
 * schema fingerprint, binary body). It decodes records written with the current schema, with any
 * version in {@link SchemaHistory}, and with schemas added by {@link #addWriterSchema}, resolving
 * them to the current schema.
 *
 * <p>Every decoding failure is a {@link SerializationException} (never an Avro, buffer or null
 * pointer exception), so a topology can route the record to a dead-letter topic. Before Avro
 * decodes, {@link BodyCheck} walks the body once against the writer schema: a corrupt length prefix
 * then fails as truncated input instead of making Avro allocate up to 2 GiB, and a union branch the
 * reader does not know fails instead of being decoded as a look-alike branch.
 *
 * <p>{@code null} maps to {@code null} both ways (tombstones). Thread-safe; {@link #configure} and
 * {@link #close} do nothing.
 */
public class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {

    private final SpecificData model;
    private final Schema schema;
    private final SchemaStore.Cache store = new SchemaStore.Cache();
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final Map<Long, BodyCheck> bodyChecks = new ConcurrentHashMap<>();

    public AvroSerde(Class<T> type) {
        // The class's own model carries its logical-type conversions (timestamp-millis <-> Instant).
        this.model = SpecificData.getForClass(type);
        this.schema = model.getSchema(type);
        store.addSchema(schema);
        SchemaHistory.versions(schema).forEach(store::addSchema);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema, store);
    }

    /** The schema records are written with and decoded to. */
    public Schema schema() {
        return schema;
    }

    /**
     * Lets this serde decode records written with {@code writer} (for example a newer producer's
     * schema obtained out of band). Fields unknown to the current schema are dropped; a union
     * branch unknown to it makes that record undecodable.
     */
    public AvroSerde<T> addWriterSchema(Schema writer) {
        store.addSchema(writer);
        return this;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        try {
            FixedSizes.check(model, schema, data);
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            encoder.encode(data, out);
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + schema.getName() + " for topic " + topic
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        long fingerprint;
        Schema writer;
        try {
            fingerprint = SingleObjectHeader.fingerprint(data);
            writer = store.findByFingerprint(fingerprint);
            if (writer == null) {
                throw new IllegalArgumentException(String.format("unknown writer schema fingerprint %016x"
                        + " (written by a newer or unrelated schema?)", fingerprint));
            }
        } catch (IllegalArgumentException e) {
            throw undecodable(topic, data, e.getMessage(), e);
        }
        try {
            bodyChecks.computeIfAbsent(fingerprint, fp -> new BodyCheck(writer, schema))
                    .check(data, SingleObjectHeader.LENGTH, data.length - SingleObjectHeader.LENGTH);
            return decoder.decode(data);
        } catch (BodyCheck.Refused e) {
            throw undecodable(topic, data, e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw undecodable(topic, data, "corrupt body: " + e, e);
        }
    }

    private SerializationException undecodable(String topic, byte[] data, String why, Exception cause) {
        return new SerializationException("cannot decode " + schema.getName() + " from topic " + topic
                + " (" + data.length + " bytes): " + why, cause);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // Nothing to configure: the type is fixed by the subclass or constructor.
    }

    @Override
    public void close() {
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }
}
