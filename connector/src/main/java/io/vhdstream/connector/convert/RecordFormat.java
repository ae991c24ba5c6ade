package io.vhdstream.connector.convert;

import io.vhdstream.schemas.block.BlockEvent;
import org.apache.kafka.connect.data.Schema;

import java.util.Locale;

/**
 * How the source connector hands a {@link BlockEvent} to the worker's value converter.
 */
public enum RecordFormat {
    /**
     * A Connect {@code Struct} mirroring the Avro record: works with any converter that carries schemas
     * (JsonConverter with {@code schemas.enable=true}, a schema-registry Avro converter...). JSON carries
     * block data as base64: a third larger than the data.
     */
    STRUCT {
        @Override
        public Schema valueSchema() {
            return BlockEvents.VALUE_SCHEMA;
        }

        @Override
        public Object value(BlockEvent event) {
            return BlockEvents.toStruct(event);
        }
    },
    /**
     * The Avro single-object encoding as bytes, for {@code ByteArrayConverter}: no inflation, no registry,
     * and readable by any consumer with {@code AvroSerdes.blockEvent()}.
     */
    AVRO {
        @Override
        public Schema valueSchema() {
            return Schema.BYTES_SCHEMA;
        }

        @Override
        public Object value(BlockEvent event) {
            return BlockEvents.encode(event);
        }
    };

    public abstract Schema valueSchema();

    public abstract Object value(BlockEvent event);

    /** The configuration spelling, lower case. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RecordFormat fromConfig(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
}
