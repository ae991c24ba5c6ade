package io.vhdstream.schemas.serde;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Walks an encoded body against its writer schema, without materialising any value, before Avro
 * decodes it. It rejects two things Avro's decoder would not:
 * <ul>
 *   <li>a length or item count that runs past the end of the input: Avro allocates from the
 *       prefix before reading, so a corrupt prefix could cost up to 2 GiB;</li>
 *   <li>a union branch whose named type the reader does not know. Avro's resolver then falls back
 *       to the first reader branch that is structurally compatible, so a command type added in a
 *       later release would silently decode as an existing one (any record decodes as
 *       {@code DeleteDisk}, whose only field has a default). Such a record must be undecodable.</li>
 * </ul>
 * One instance per (writer, reader) pair; immutable and thread-safe.
 */
final class BodyCheck {

    /** Why a body was refused; the message is meant for the dead-letter record. */
    static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    private final Schema writer;
    private final Set<String> readerNames = new HashSet<>();

    BodyCheck(Schema writer, Schema reader) {
        this.writer = writer;
        collectNames(reader, new HashSet<>());
    }

    void check(byte[] data, int offset, int length) throws IOException {
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(data, offset, length, null);
        // Every array or map item takes at least one byte in our schemas, so more items than bytes
        // means a corrupt count (and would otherwise let a tiny input loop for a very long time).
        long[] itemBudget = {length};
        walk(writer, in, itemBudget);
        if (!in.isEnd()) {
            throw new Refused("trailing bytes after the record");
        }
    }

    private void walk(Schema s, BinaryDecoder in, long[] itemBudget) throws IOException {
        switch (s.getType()) {
            case NULL -> in.readNull();
            case BOOLEAN -> in.readBoolean();
            case INT -> in.readInt();
            case LONG -> in.readLong();
            case FLOAT -> in.readFloat();
            case DOUBLE -> in.readDouble();
            case STRING -> in.skipString();
            case BYTES -> in.skipBytes();
            case FIXED -> in.skipFixed(s.getFixedSize());
            case ENUM -> checkIndex(in.readEnum(), s.getEnumSymbols().size(), s);
            case RECORD -> {
                for (Schema.Field f : s.getFields()) {
                    walk(f.schema(), in, itemBudget);
                }
            }
            case UNION -> {
                int index = in.readIndex();
                checkIndex(index, s.getTypes().size(), s);
                Schema branch = s.getTypes().get(index);
                if (isNamed(branch) && !readerNames.contains(branch.getFullName())) {
                    throw new Refused("the record uses " + branch.getFullName()
                            + ", a type this reader does not know (written by a newer schema?)");
                }
                walk(branch, in, itemBudget);
            }
            case ARRAY -> {
                for (long n = in.readArrayStart(); n != 0; n = in.arrayNext()) {
                    spend(n, itemBudget);
                    for (long i = 0; i < n; i++) {
                        walk(s.getElementType(), in, itemBudget);
                    }
                }
            }
            case MAP -> {
                for (long n = in.readMapStart(); n != 0; n = in.mapNext()) {
                    spend(n, itemBudget);
                    for (long i = 0; i < n; i++) {
                        in.skipString();
                        walk(s.getValueType(), in, itemBudget);
                    }
                }
            }
        }
    }

    private static void spend(long items, long[] itemBudget) throws Refused {
        if (items < 0 || items > itemBudget[0]) {
            throw new Refused("item count " + items + " exceeds what the input can hold");
        }
        itemBudget[0] -= items;
    }

    private static void checkIndex(int index, int size, Schema s) throws Refused {
        if (index < 0 || index >= size) {
            throw new Refused("index " + index + " out of range for " + s);
        }
    }

    private void collectNames(Schema s, Set<Schema> seen) {
        if (!seen.add(s)) {
            return;
        }
        if (isNamed(s)) {
            readerNames.add(s.getFullName());
            readerNames.addAll(s.getAliases()); // a renamed type is matched through its aliases
        }
        switch (s.getType()) {
            case RECORD -> s.getFields().forEach(f -> collectNames(f.schema(), seen));
            case UNION -> s.getTypes().forEach(t -> collectNames(t, seen));
            case ARRAY -> collectNames(s.getElementType(), seen);
            case MAP -> collectNames(s.getValueType(), seen);
            default -> {
            }
        }
    }

    private static boolean isNamed(Schema s) {
        return switch (s.getType()) {
            case RECORD, ENUM, FIXED -> true;
            default -> false;
        };
    }
}
