package io.vhdstream.connector.convert;

import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.ChangedBlock;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * Lays out a ChangedBlock {@link BlockEvent} in Avro single-object encoding around its data, so that the
 * source reads a block straight into the array that becomes the record value: no Avro encoder pass and no
 * copy of the block. The bytes are exactly those {@link BlockEvents#encode} writes (a test compares them);
 * the class checks at load time that the schema still has the field order it writes.
 *
 * <pre>
 * C3 01, schema fingerprint (8, little-endian)    single-object header
 * payload union index (ChangedBlock)              zig-zag varint
 * diskId                                          varint length, UTF-8
 * layerUniqueId                                   16 bytes
 * parentUniqueId                                  union index, then 16 bytes unless null
 * layerIndex, extentIndex, offset, length         zig-zag varints
 * data                                            varint length, the block   &lt;- read here
 * sha256                                          32 bytes                   &lt;- {@link #putSha256}
 * </pre>
 */
public final class ChangedBlockFrame {
    public static final int SHA_LENGTH = 32;
    private static final byte[] HEADER = header();
    private static final int PAYLOAD_BRANCH;
    private static final int PARENT_NULL_BRANCH;
    private static final int PARENT_UUID_BRANCH;

    static {
        Schema payload = BlockEvent.getClassSchema().getField("payload").schema();
        PAYLOAD_BRANCH = payload.getIndexNamed(ChangedBlock.getClassSchema().getFullName());
        Schema cb = ChangedBlock.getClassSchema();
        List<String> names = cb.getFields().stream().map(f -> f.name() + ":" + f.schema().getType()).toList();
        List<String> expected = List.of("diskId:STRING", "layerUniqueId:FIXED", "parentUniqueId:UNION", "layerIndex:INT",
                "extentIndex:LONG", "offset:LONG", "length:LONG", "data:BYTES", "sha256:FIXED");
        if (!names.equals(expected) || BlockEvent.getClassSchema().getFields().size() != 1) {
            throw new IllegalStateException("ChangedBlock's schema changed (" + names + "): update ChangedBlockFrame");
        }
        Schema parent = cb.getField("parentUniqueId").schema();
        PARENT_NULL_BRANCH = parent.getIndexNamed("null");
        PARENT_UUID_BRANCH = parent.getIndexNamed(cb.getField("layerUniqueId").schema().getFullName());
    }

    /** The record array and where its data goes. */
    public record Frame(byte[] array, int dataOffset, int dataLength) {
        public void putSha256(byte[] sha) {
            if (sha.length != SHA_LENGTH) {
                throw new IllegalArgumentException("a SHA-256 has 32 bytes");
            }
            System.arraycopy(sha, 0, array, dataOffset + dataLength, SHA_LENGTH);
        }
    }

    /** The fields before the data, encoded once per layer: everything but the per-record numbers. */
    public static final class Layer {
        private final byte[] before; // header, branch, diskId, layer id, parent
        private final int layerIndex;

        public Layer(String diskId, UUID layer, UUID parent, int layerIndex) {
            byte[] disk = diskId.getBytes(StandardCharsets.UTF_8);
            Out o = new Out(new byte[HEADER.length + 10 + 10 + disk.length + 16 + 10 + 16]);
            o.bytes(HEADER);
            o.varint(PAYLOAD_BRANCH);
            o.varint(disk.length);
            o.bytes(disk);
            o.uuid(layer);
            if (parent == null) {
                o.varint(PARENT_NULL_BRANCH);
            } else {
                o.varint(PARENT_UUID_BRANCH);
                o.uuid(parent);
            }
            this.before = java.util.Arrays.copyOf(o.buf, o.at);
            this.layerIndex = layerIndex;
        }

        /** A frame for a block of {@code length} bytes at disk {@code offset}, record {@code extentIndex}. */
        public Frame frame(long extentIndex, long offset, int length) {
            int numbers = size(zig(layerIndex)) + size(zig(extentIndex)) + size(zig(offset)) + 2 * size(zig(length));
            byte[] a = new byte[before.length + numbers + length + SHA_LENGTH];
            Out o = new Out(a);
            o.bytes(before);
            o.varint(layerIndex);
            o.varint(extentIndex);
            o.varint(offset);
            o.varint(length);
            o.varint(length);
            return new Frame(a, o.at, length);
        }
    }

    private ChangedBlockFrame() {
    }

    private static byte[] header() {
        long fp = SchemaNormalization.parsingFingerprint64(BlockEvent.getClassSchema());
        byte[] h = new byte[10];
        h[0] = (byte) 0xC3;
        h[1] = 0x01;
        for (int i = 0; i < 8; i++) {
            h[2 + i] = (byte) (fp >>> (8 * i));
        }
        return h;
    }

    private static long zig(long n) {
        return (n << 1) ^ (n >> 63);
    }

    private static int size(long z) {
        int n = 1;
        while ((z & ~0x7FL) != 0) {
            z >>>= 7;
            n++;
        }
        return n;
    }

    private static final class Out {
        final byte[] buf;
        int at;

        Out(byte[] buf) {
            this.buf = buf;
        }

        void bytes(byte[] b) {
            System.arraycopy(b, 0, buf, at, b.length);
            at += b.length;
        }

        void varint(long n) {
            long z = zig(n);
            while ((z & ~0x7FL) != 0) {
                buf[at++] = (byte) ((z & 0x7F) | 0x80);
                z >>>= 7;
            }
            buf[at++] = (byte) z;
        }

        void uuid(UUID id) {
            long m = id.getMostSignificantBits();
            long l = id.getLeastSignificantBits();
            for (int i = 7; i >= 0; i--) {
                buf[at + 7 - i] = (byte) (m >>> (8 * i));
                buf[at + 15 - i] = (byte) (l >>> (8 * i));
            }
            at += 16;
        }
    }
}
