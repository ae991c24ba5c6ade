package io.vhdstream.topology.disk;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Write;
import io.vhdstream.schemas.serde.AvroSerdes;
import org.apache.avro.Schema;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes {@code Write} commands written with the current {@code DiskCommand} schema without copying their
 * data: the command's {@code data} is a view of the record value. Anything else (another command type,
 * another writer schema, anything malformed or unexpected) returns null, and the caller decodes with the
 * regular serde, which judges it. Writes are nearly all of the input and their data nearly all of its bytes;
 * this saves one copy of every block on the stream thread.
 *
 * <p>Equivalence with the serde (same values, same acceptance) is tested over random commands; the layout
 * is checked against the schema when the class loads, and the fast path switches itself off if the schema is
 * not the shape it knows.
 */
final class WriteDecoder {
    private static final byte[] HEADER;
    private static final int SEQUENCE_NULL;
    private static final int SEQUENCE_LONG;
    private static final int WRITE_BRANCH;
    private static final boolean ENABLED;

    static {
        Schema s = DiskCommand.getClassSchema();
        List<String> fields = s.getFields().stream().map(Schema.Field::name).toList();
        Schema seq = s.getField("sequence") == null ? null : s.getField("sequence").schema();
        Schema payload = s.getField("payload") == null ? null : s.getField("payload").schema();
        boolean ok = fields.equals(List.of("diskId", "sequence", "timestamp", "payload"))
                && s.getField("diskId").schema().getType() == Schema.Type.STRING
                && seq.getType() == Schema.Type.UNION && seq.getTypes().size() == 2
                && s.getField("timestamp").schema().getType() == Schema.Type.LONG
                && payload.getType() == Schema.Type.UNION
                && Write.getClassSchema().getFields().stream().map(Schema.Field::name).toList().equals(List.of("offset", "data"))
                && Write.getClassSchema().getField("offset").schema().getType() == Schema.Type.LONG
                && Write.getClassSchema().getField("data").schema().getType() == Schema.Type.BYTES;
        Integer nullIndex = ok ? seq.getIndexNamed("null") : null;
        Integer longIndex = ok ? seq.getIndexNamed("long") : null;
        Integer writeIndex = ok ? payload.getIndexNamed(Write.getClassSchema().getFullName()) : null;
        ENABLED = ok && nullIndex != null && longIndex != null && writeIndex != null;
        SEQUENCE_NULL = ENABLED ? nullIndex : -1;
        SEQUENCE_LONG = ENABLED ? longIndex : -1;
        WRITE_BRANCH = ENABLED ? writeIndex : -1;
        byte[] sample = AvroSerdes.diskCommand().serialize("", new DiskCommand("x", null, Instant.EPOCH,
                new Write(0L, ByteBuffer.allocate(0))));
        HEADER = Arrays.copyOf(sample, 10);
    }

    private final byte[] v;
    private int p;

    private WriteDecoder(byte[] v) {
        this.v = v;
        this.p = HEADER.length;
    }

    /** The Write command in {@code value}, or null if this is not a plain current-schema Write. */
    static DiskCommand decode(byte[] value) {
        if (!ENABLED || value == null || value.length < HEADER.length
                || !Arrays.equals(value, 0, HEADER.length, HEADER, 0, HEADER.length)) {
            return null;
        }
        WriteDecoder d = new WriteDecoder(value);
        try {
            int idLen = d.length();
            if (idLen < 0) {
                return null;
            }
            String diskId = new String(value, d.p, idLen, StandardCharsets.UTF_8);
            d.p += idLen;
            int seqBranch = d.varInt();
            Long sequence;
            if (seqBranch == SEQUENCE_NULL) {
                sequence = null;
            } else if (seqBranch == SEQUENCE_LONG) {
                sequence = d.varLong();
            } else {
                return null;
            }
            long timestamp = d.varLong();
            if (d.varInt() != WRITE_BRANCH) {
                return null;
            }
            long offset = d.varLong();
            int dataLen = d.length();
            if (dataLen < 0 || d.p + dataLen != value.length) {
                return null;   // truncated, or trailing bytes: the serde decides
            }
            ByteBuffer data = ByteBuffer.wrap(value, d.p, dataLen).slice();
            return new DiskCommand(diskId, sequence, Instant.ofEpochMilli(timestamp), new Write(offset, data));
        } catch (IndexOutOfBoundsException | IllegalStateException e) {
            return null;
        }
    }

    /** A length prefix (an Avro int) that fits the rest of the value, or -1. */
    private int length() {
        int n = varInt();
        return n < 0 || n > v.length - p ? -1 : n;
    }

    /**
     * Avro's zig-zag varint int: at most 5 bytes, and only encodings that fit 32 bits (stricter than Avro,
     * which is safe: anything refused here goes to the serde).
     */
    private int varInt() {
        long raw = rawVarint(5);
        if (raw > 0xFFFF_FFFFL) {
            throw new IllegalStateException("int out of range");
        }
        int r = (int) raw;
        return (r >>> 1) ^ -(r & 1);
    }

    /** Avro's zig-zag varint long: at most 10 bytes, the last holding only the top bit. */
    private long varLong() {
        long raw = rawVarint(10);
        return (raw >>> 1) ^ -(raw & 1);
    }

    private long rawVarint(int maxBytes) {
        long raw = 0;
        for (int i = 0; i < maxBytes; i++) {
            int b = v[p++] & 0xFF;   // IndexOutOfBounds past the end: the caller falls back
            if (i == 9 && b > 1) {
                throw new IllegalStateException("long out of range");
            }
            raw |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                return raw;
            }
        }
        throw new IllegalStateException("varint longer than " + maxBytes + " bytes");
    }
}
