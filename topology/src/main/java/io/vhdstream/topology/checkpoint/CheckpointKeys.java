package io.vhdstream.topology.checkpoint;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Keys of the checkpoint topic. A disk's metadata is {@code 'D' <disk id, UTF-8>}; a chunk of its base is
 * {@code 'C' <disk id length, 4 bytes> <disk id, UTF-8> <chunk index, 8 bytes>} (big-endian), so that every
 * chunk has a key of its own for compaction whatever bytes disk ids contain.
 */
public final class CheckpointKeys {
    static final byte DISK = 'D';
    static final byte CHUNK = 'C';

    /** A decoded key: {@code index} is -1 for a disk's metadata. */
    public record Key(String diskId, long index) {
        public boolean isDisk() {
            return index < 0;
        }
    }

    private CheckpointKeys() {
    }

    public static byte[] disk(String diskId) {
        byte[] id = diskId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + id.length).put(DISK).put(id).array();
    }

    public static byte[] chunk(String diskId, long index) {
        byte[] id = diskId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 4 + id.length + 8).put(CHUNK).putInt(id.length).put(id).putLong(index).array();
    }

    /** Decodes a key; {@link IllegalArgumentException} for anything this class did not write. */
    public static Key parse(byte[] key) {
        if (key == null || key.length < 1) {
            throw new IllegalArgumentException("empty checkpoint key");
        }
        ByteBuffer b = ByteBuffer.wrap(key);
        byte kind = b.get();
        if (kind == DISK) {
            return new Key(new String(key, 1, key.length - 1, StandardCharsets.UTF_8), -1);
        }
        if (kind == CHUNK && key.length >= 13) {
            int n = b.getInt();
            if (n >= 0 && n == key.length - 13) {
                String id = new String(key, 5, n, StandardCharsets.UTF_8);
                b.position(5 + n);
                long index = b.getLong();
                if (index >= 0) {
                    return new Key(id, index);
                }
            }
        }
        throw new IllegalArgumentException("not a checkpoint key (" + key.length + " bytes, kind " + kind + ")");
    }
}
