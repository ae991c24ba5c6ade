package io.vhdstream.topology.disk;

import io.vhdstream.vhd.footer.Footer;
import io.vhdstream.vhd.io.VhdTime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.UUID;

/**
 * Deterministic identity of a layer: its VHD unique id is a name-based UUID of (input topic, partition, disk,
 * layer index, offset of the command that opened the layer) and its footer time the timestamp of that
 * command. A layer rebuilt from the log (after a task moved, or by {@code vhdstream rebuild}) therefore has
 * the unique id the original {@code LayerSealed} event announced, and its children name it as parent.
 */
public final class LayerIdentity {
    private LayerIdentity() {
    }

    public static UUID uniqueId(String topic, int partition, String diskId, int layerIndex, long openingOffset) {
        String name = "vhdstream-layer\0" + topic + "\0" + partition + "\0" + diskId + "\0" + layerIndex + "\0" + openingOffset;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }

    /** VHD time (seconds since 2000) for a record timestamp, never in the future (checkers flag that). */
    public static long vhdTime(long timestampMs) {
        long ms = Math.min(timestampMs, System.currentTimeMillis());
        return VhdTime.toUnsigned32(Instant.ofEpochMilli(Math.max(0, ms)));
    }

    /**
     * Rewrites the unique id and timestamp of a freshly created image (both footer copies, checksum
     * recomputed) and fsyncs it. Only for images nothing has been written to and no child refers to yet.
     */
    public static void stamp(Path image, UUID uniqueId, long vhdTime) throws IOException {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(Footer.SIZE);
            readFully(ch, head, 0);
            Footer footer = Footer.parse(head.array(), 0).toBuilder().uniqueId(uniqueId).timestamp(vhdTime).build();
            byte[] bytes = footer.serialize();
            long size = ch.size();
            writeFully(ch, bytes, 0);
            writeFully(ch, bytes, size - Footer.SIZE);
            ch.force(true);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        long pos = at;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file while stamping");
            }
            pos += n;
        }
    }

    private static void writeFully(FileChannel ch, byte[] bytes, long at) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long pos = at;
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
    }
}
