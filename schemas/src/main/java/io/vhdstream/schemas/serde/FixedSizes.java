package io.vhdstream.schemas.serde;

import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Checks that every fixed value in a record has its schema's size. Needed because Avro's encoder
 * writes exactly {@code size} bytes of a fixed: a longer array (say a 33-byte "SHA-256") is
 * silently truncated, and the record would decode to a different value. Only containers and fixed
 * values are visited; the encoder itself reports every other mismatch.
 */
final class FixedSizes {

    private FixedSizes() {
    }

    static void check(GenericData model, Schema schema, Object datum) {
        check(model, schema, datum, schema.getName());
    }

    private static void check(GenericData model, Schema schema, Object datum, String where) {
        switch (schema.getType()) {
            case FIXED -> {
                if (datum instanceof GenericFixed f && f.bytes().length != schema.getFixedSize()) {
                    throw new IllegalArgumentException(where + ": " + schema.getName() + " needs "
                            + schema.getFixedSize() + " bytes, has " + f.bytes().length);
                }
            }
            case RECORD -> {
                if (datum instanceof IndexedRecord r) {
                    for (Schema.Field f : schema.getFields()) {
                        check(model, f.schema(), r.get(f.pos()), f.name());
                    }
                }
            }
            case UNION -> check(model, schema.getTypes().get(model.resolveUnion(schema, datum)), datum, where);
            case ARRAY -> {
                if (datum instanceof Collection<?> items) {
                    items.forEach(item -> check(model, schema.getElementType(), item, where));
                }
            }
            case MAP -> {
                if (datum instanceof Map<?, ?> map) {
                    map.values().forEach(v -> check(model, schema.getValueType(), v, where));
                }
            }
            default -> {
                // Primitives: nothing to check here.
            }
        }
    }
}
