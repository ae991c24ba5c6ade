package io.vhdstream.topology.checkpoint;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Keys of the checkpoint topic. A disk's metadata is {@code 'D' <partition, 4 bytes> <disk id, UTF-8>}; a chunk
 * of its base is {@code 'C' <partition, 4 bytes> <disk id length, 4 bytes> <disk id, UTF-8> <chunk index, 8 bytes>}
 * (big-endian), so that every chunk has a key of its own for compaction whatever bytes disk ids contain. The
 * partition is the disk's command partition: records go to the same partition of the checkpoint topic
 * ({@link CheckpointPartitioner}), whatever partitioner the producers of the commands used.
 */
public final class CheckpointKeys {
    static final byte DISK = 'D';
    static final byte CHUNK = 'C';

    /** A decoded key: {@code index} is -1 for a disk's metadata. */
    public record Key(int partition, String diskId, long index) {
        public boolean isDisk() {
            return index < 0;
        }
    }

    private CheckpointKeys() {
    }

    public static byte[] disk(int partition, String diskId) {
        byte[] id = diskId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 4 + id.length).put(DISK).putInt(partition).put(id).array();
    }

    public static byte[] chunk(int partition, String diskId, long index) {
        byte[] id = diskId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 4 + 4 + id.length + 8).put(CHUNK).putInt(partition).putInt(id.length).put(id)
                .putLong(index).array();
    }

    /** Decodes a key; {@link IllegalArgumentException} for anything this class did not write. */
    public static Key parse(byte[] key) {
        if (key == null || key.length < 5) {
            throw new IllegalArgumentException("not a checkpoint key (" + (key == null ? "none" : key.length + " bytes") + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(key);
        byte kind = b.get();
        int partition = b.getInt();
        if (partition >= 0 && kind == DISK) {
            return new Key(partition, new String(key, 5, key.length - 5, StandardCharsets.UTF_8), -1);
        }
        if (partition >= 0 && kind == CHUNK && key.length >= 17) {
            int n = b.getInt();
            if (n >= 0 && n == key.length - 17) {
                String id = new String(key, 9, n, StandardCharsets.UTF_8);
                b.position(9 + n);
                long index = b.getLong();
                if (index >= 0) {
                    return new Key(partition, id, index);
                }
            }
        }
        throw new IllegalArgumentException("not a checkpoint key (" + key.length + " bytes, kind " + kind + ")");
    }
}
