package io.vhdstream.connector.convert;

import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mirrors Avro schemas and values as Connect schemas and {@link Struct}s, so that any Connect converter
 * (JSON with schemas, Avro, Protobuf...) can carry the project's records. The mapping is derived from the
 * Avro schema, so the mirror cannot drift from {@code schemas/}:
 *
 * <table>
 * <caption>Avro to Connect</caption>
 * <tr><th>Avro</th><th>Connect</th></tr>
 * <tr><td>record</td><td>struct named by the record's full name, with its doc, version 1</td></tr>
 * <tr><td>{@code ["null", T]}</td><td>T, optional</td></tr>
 * <tr><td>union of several non-null branches</td><td>struct named {@value #UNION_SUFFIX}-suffixed, one optional
 *     field per branch named by the branch's simple name, exactly one set (the convention of Confluent's
 *     AvroData)</td></tr>
 * <tr><td>fixed</td><td>bytes named by the fixed's full name, parameter {@value #FIXED_SIZE_PARAM}</td></tr>
 * <tr><td>bytes, string, int, long, boolean, float, double</td><td>bytes, string, int32, int64, boolean,
 *     float32, float64</td></tr>
 * <tr><td>array, map</td><td>array, map with string keys</td></tr>
 * <tr><td>enum</td><td>string</td></tr>
 * </table>
 */
public final class AvroConnect {
    /** Connect schema parameter carrying an Avro fixed's size. */
    public static final String FIXED_SIZE_PARAM = "avro.fixed.size";
    public static final String UNION_SUFFIX = ".Union";

    private AvroConnect() {
    }

    /** The Connect schema of an Avro schema (records become required structs). */
    public static Schema schema(org.apache.avro.Schema avro) {
        return builder(avro, false, avro.getFullName(), null).build();
    }

    /** @param doc the field's doc, which wins over the type's own */
    private static SchemaBuilder builder(org.apache.avro.Schema avro, boolean optional, String where, String doc) {
        SchemaBuilder b;
        switch (avro.getType()) {
            case RECORD -> {
                b = SchemaBuilder.struct().name(avro.getFullName()).version(1);
                for (org.apache.avro.Schema.Field f : avro.getFields()) {
                    b.field(f.name(), builder(f.schema(), false, avro.getFullName() + "." + f.name(), f.doc()).build());
                }
            }
            case UNION -> {
                List<org.apache.avro.Schema> branches = nonNull(avro);
                boolean nullable = branches.size() < avro.getTypes().size();
                if (branches.size() == 1) {
                    return builder(branches.get(0), optional || nullable, where, doc);
                }
                b = SchemaBuilder.struct().name(where + UNION_SUFFIX).version(1);
                for (org.apache.avro.Schema branch : branches) {
                    b.field(branchName(branch), builder(branch, true, where + "." + branchName(branch), null).build());
                }
                optional = optional || nullable;
            }
            case FIXED -> {
                b = SchemaBuilder.bytes().name(avro.getFullName()).parameter(FIXED_SIZE_PARAM,
                        Integer.toString(avro.getFixedSize()));
            }
            case BYTES -> b = SchemaBuilder.bytes();
            case STRING, ENUM -> b = SchemaBuilder.string();
            case INT -> b = SchemaBuilder.int32();
            case LONG -> b = SchemaBuilder.int64();
            case BOOLEAN -> b = SchemaBuilder.bool();
            case FLOAT -> b = SchemaBuilder.float32();
            case DOUBLE -> b = SchemaBuilder.float64();
            case ARRAY -> b = SchemaBuilder.array(builder(avro.getElementType(), false, where + ".item", null).build());
            case MAP -> b = SchemaBuilder.map(Schema.STRING_SCHEMA, builder(avro.getValueType(), false, where + ".value", null).build());
            default -> throw new IllegalArgumentException(where + ": Avro type " + avro.getType() + " has no Connect mirror");
        }
        String d = doc != null ? doc : avro.getType() == org.apache.avro.Schema.Type.UNION ? null : avro.getDoc();
        if (d != null) {
            b.doc(d);
        }
        if (optional) {
            b.optional();
        }
        return b;
    }

    private static List<org.apache.avro.Schema> nonNull(org.apache.avro.Schema union) {
        List<org.apache.avro.Schema> out = new ArrayList<>();
        for (org.apache.avro.Schema s : union.getTypes()) {
            if (s.getType() != org.apache.avro.Schema.Type.NULL) {
                out.add(s);
            }
        }
        return out;
    }

    private static String branchName(org.apache.avro.Schema branch) {
        return switch (branch.getType()) {
            case RECORD, FIXED, ENUM -> branch.getName();
            default -> branch.getType().getName();
        };
    }

    /** Converts an Avro value (specific or generic) to its Connect mirror. */
    public static Object toConnect(org.apache.avro.Schema avro, Schema connect, Object value) {
        if (value == null) {
            if (!connect.isOptional()) {
                throw new DataException("null for required " + connect.name());
            }
            return null;
        }
        switch (avro.getType()) {
            case RECORD -> {
                IndexedRecord r = (IndexedRecord) value;
                Struct s = new Struct(connect);
                for (org.apache.avro.Schema.Field f : avro.getFields()) {
                    Field cf = connect.field(f.name());
                    s.put(cf, toConnect(f.schema(), cf.schema(), r.get(f.pos())));
                }
                return s;
            }
            case UNION -> {
                int i = GenericData.get().resolveUnion(avro, value);
                org.apache.avro.Schema branch = avro.getTypes().get(i);
                if (connect.type() != Schema.Type.STRUCT || !connect.name().endsWith(UNION_SUFFIX)) {
                    return toConnect(branch, connect, value);
                }
                Struct s = new Struct(connect);
                Field cf = connect.field(branchName(branch));
                s.put(cf, toConnect(branch, cf.schema(), value));
                return s;
            }
            case FIXED -> {
                return ((GenericFixed) value).bytes().clone();
            }
            case BYTES -> {
                return bytes((ByteBuffer) value);
            }
            case STRING, ENUM -> {
                return value.toString();
            }
            case ARRAY -> {
                List<Object> out = new ArrayList<>();
                for (Object item : (Iterable<?>) value) {
                    out.add(toConnect(avro.getElementType(), connect.valueSchema(), item));
                }
                return out;
            }
            case MAP -> {
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    out.put(e.getKey().toString(), toConnect(avro.getValueType(), connect.valueSchema(), e.getValue()));
                }
                return out;
            }
            default -> {
                return value;
            }
        }
    }

    /**
     * Converts a Connect value back to Avro; records and fixed values become instances of the classes
     * {@code model} knows (pass {@code SpecificData.getForClass(type)} for generated classes).
     *
     * @throws DataException if the value does not fit the Avro schema (a union struct with no or several
     *                       branches set, a fixed of the wrong size, a missing required field)
     */
    public static Object toAvro(org.apache.avro.Schema avro, GenericData model, Object value) {
        if (value == null) {
            if (avro.getType() == org.apache.avro.Schema.Type.UNION && avro.getTypes().stream()
                    .anyMatch(t -> t.getType() == org.apache.avro.Schema.Type.NULL)) {
                return null;
            }
            throw new DataException("null where " + avro.getFullName() + " is required");
        }
        switch (avro.getType()) {
            case RECORD -> {
                Struct s = requireStruct(value, avro);
                IndexedRecord r = (IndexedRecord) model.newRecord(null, avro);
                for (org.apache.avro.Schema.Field f : avro.getFields()) {
                    Field cf = s.schema().field(f.name());
                    if (cf == null) {
                        throw new DataException(avro.getFullName() + " has no field " + f.name() + " in " + s.schema().name());
                    }
                    r.put(f.pos(), toAvro(f.schema(), model, s.get(cf)));
                }
                return r;
            }
            case UNION -> {
                List<org.apache.avro.Schema> branches = nonNull(avro);
                if (branches.size() == 1) {
                    return toAvro(branches.get(0), model, value);
                }
                Struct s = requireStruct(value, avro);
                Object chosen = null;
                org.apache.avro.Schema chosenSchema = null;
                for (org.apache.avro.Schema branch : branches) {
                    Field cf = s.schema().field(branchName(branch));
                    Object v = cf == null ? null : s.get(cf);
                    if (v != null) {
                        if (chosenSchema != null) {
                            throw new DataException("union " + s.schema().name() + " has both " + branchName(chosenSchema)
                                    + " and " + branchName(branch) + " set");
                        }
                        chosen = v;
                        chosenSchema = branch;
                    }
                }
                if (chosenSchema == null) {
                    throw new DataException("union " + s.schema().name() + " has no branch set");
                }
                return toAvro(chosenSchema, model, chosen);
            }
            case FIXED -> {
                byte[] b = bytesOf(value);
                if (b.length != avro.getFixedSize()) {
                    throw new DataException(avro.getFullName() + " needs " + avro.getFixedSize() + " bytes, got " + b.length);
                }
                return model.createFixed(null, b, avro);
            }
            case BYTES -> {
                return ByteBuffer.wrap(bytesOf(value));
            }
            case STRING -> {
                return value.toString();
            }
            case ENUM -> {
                return model.createEnum(value.toString(), avro);
            }
            case INT -> {
                return ((Number) value).intValue();
            }
            case LONG -> {
                return ((Number) value).longValue();
            }
            case ARRAY -> {
                List<Object> out = new ArrayList<>();
                for (Object item : (Iterable<?>) value) {
                    out.add(toAvro(avro.getElementType(), model, item));
                }
                return out;
            }
            case MAP -> {
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    out.put(e.getKey().toString(), toAvro(avro.getValueType(), model, e.getValue()));
                }
                return out;
            }
            default -> {
                return value;
            }
        }
    }

    private static Struct requireStruct(Object value, org.apache.avro.Schema avro) {
        if (value instanceof Struct s) {
            return s;
        }
        throw new DataException("expected a Struct for " + avro.getFullName() + ", got "
                + (value == null ? "null" : value.getClass().getName()));
    }

    /** The bytes of a Connect BYTES value (byte[] or ByteBuffer), without copying when it can. */
    static byte[] bytesOf(Object value) {
        if (value instanceof byte[] b) {
            return b;
        }
        if (value instanceof ByteBuffer bb) {
            return bytes(bb);
        }
        throw new DataException("expected bytes, got " + value.getClass().getName());
    }

    private static byte[] bytes(ByteBuffer bb) {
        if (bb.hasArray() && bb.arrayOffset() == 0 && bb.position() == 0 && bb.remaining() == bb.array().length) {
            return bb.array();
        }
        byte[] out = new byte[bb.remaining()];
        bb.duplicate().get(out);
        return out;
    }
}
