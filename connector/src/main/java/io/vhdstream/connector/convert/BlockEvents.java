package io.vhdstream.connector.convert;

import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.ChangedBlock;
import io.vhdstream.schemas.block.DiskDeleted;
import io.vhdstream.schemas.block.EndOfLayer;
import io.vhdstream.schemas.block.LayersMerged;
import io.vhdstream.schemas.block.SourceError;
import io.vhdstream.schemas.block.StartOfLayer;
import io.vhdstream.schemas.block.ZeroExtent;
import io.vhdstream.schemas.serde.AvroSerde;
import io.vhdstream.schemas.serde.AvroSerdes;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * The changed-block topic's values as Connect data: the {@link BlockEvent} Avro record mirrored as a
 * Connect {@link Struct} ({@link #VALUE_SCHEMA}), or its Avro single-object encoding as bytes (the same
 * bytes {@code AvroSerdes.blockEvent()} writes and reads). Keys are the disk id as a string.
 *
 * <p>The struct form, as JSON with {@code schemas.enable=true}, looks like
 * <pre>
 * {"payload": {"StartOfLayer": null,
 *              "ChangedBlock": {"diskId": "d1", "layerUniqueId": "base64...", "parentUniqueId": null,
 *                               "layerIndex": 0, "extentIndex": 3, "offset": 1572864, "length": 524288,
 *                               "data": "base64...", "sha256": "base64..."},
 *              "ZeroExtent": null, "EndOfLayer": null, "SourceError": null, "LayersMerged": null,
 *              "DiskDeleted": null}}
 * </pre>
 */
public final class BlockEvents {
    public static final org.apache.avro.Schema AVRO_SCHEMA = BlockEvent.getClassSchema();
    /** The Connect mirror of {@code BlockEvent}. */
    public static final Schema VALUE_SCHEMA = AvroConnect.schema(AVRO_SCHEMA);
    public static final Schema KEY_SCHEMA = Schema.STRING_SCHEMA;

    private static final SpecificData MODEL = SpecificData.getForClass(BlockEvent.class);
    private static final AvroSerde<BlockEvent> SERDE = AvroSerdes.blockEvent();
    private static final BinaryMessageEncoder<BlockEvent> ENCODER = new BinaryMessageEncoder<>(MODEL, AVRO_SCHEMA);

    private BlockEvents() {
    }

    public static Struct toStruct(BlockEvent event) {
        return (Struct) AvroConnect.toConnect(AVRO_SCHEMA, VALUE_SCHEMA, event);
    }

    /** @throws DataException if the struct is not a BlockEvent mirror */
    public static BlockEvent fromStruct(Struct struct) {
        return (BlockEvent) AvroConnect.toAvro(AVRO_SCHEMA, MODEL, struct);
    }

    /**
     * The Avro single-object encoding, byte for byte what {@code AvroSerdes.blockEvent()} produces (same
     * model, same schema), written into a buffer sized for the block data up front: the serde's growing
     * buffer copies a 512 KiB block about three times, which showed in the source's throughput.
     */
    public static byte[] encode(BlockEvent event) {
        int data = event.getPayload() instanceof ChangedBlock c ? c.getData().remaining() : 0;
        Sized out = new Sized(data + 1024);
        try {
            ENCODER.encode(event, out);
        } catch (IOException e) {
            throw new DataException("cannot encode " + event.getSchema().getName() + ": " + e.getMessage(), e);
        }
        return out.bytes();
    }

    /** A byte stream that hands out its array without a copy when it was sized exactly. */
    private static final class Sized extends ByteArrayOutputStream {
        Sized(int size) {
            super(size);
        }

        byte[] bytes() {
            return count == buf.length ? buf : Arrays.copyOf(buf, count);
        }
    }

    /** @throws SerializationException if the bytes are not a decodable BlockEvent */
    public static BlockEvent decode(byte[] bytes) {
        return SERDE.deserialize(null, bytes);
    }

    /**
     * A record value from a converter, in either form the source writes: a {@link Struct} mirror (JSON,
     * Avro or another schema'd converter) or the Avro bytes (ByteArrayConverter).
     *
     * @throws DataException for anything else, or bytes or a struct that do not decode
     */
    public static BlockEvent fromConnect(Object value) {
        if (value instanceof Struct s) {
            return fromStruct(s);
        }
        try {
            if (value instanceof byte[] b) {
                return decode(b);
            }
            if (value instanceof ByteBuffer bb) {
                return decode(AvroConnect.bytesOf(bb));
            }
        } catch (SerializationException e) {
            throw new DataException(e.getMessage(), e);
        }
        if (value instanceof Map<?, ?>) {
            throw new DataException("the value is a schemaless map: set the sink's value.converter.schemas.enable=true"
                    + " (JsonConverter) or use ByteArrayConverter with record.format=avro on the source");
        }
        throw new DataException("not a BlockEvent: " + (value == null ? "null" : value.getClass().getName()));
    }

    /** The disk id an event names (a SourceError may have none). */
    public static String diskId(BlockEvent event) {
        Object p = event.getPayload();
        if (p instanceof StartOfLayer s) {
            return s.getDiskId();
        } else if (p instanceof ChangedBlock c) {
            return c.getDiskId();
        } else if (p instanceof ZeroExtent z) {
            return z.getDiskId();
        } else if (p instanceof EndOfLayer e) {
            return e.getDiskId();
        } else if (p instanceof SourceError e) {
            return e.getDiskId();
        } else if (p instanceof LayersMerged m) {
            return m.getDiskId();
        } else if (p instanceof DiskDeleted d) {
            return d.getDiskId();
        }
        return null;
    }
}
