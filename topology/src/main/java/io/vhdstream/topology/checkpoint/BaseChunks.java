package io.vhdstream.topology.checkpoint;

import io.vhdstream.schemas.Limits;
import io.vhdstream.schemas.checkpoint.BaseChunk;
import io.vhdstream.topology.disk.DiskState;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.image.VhdImage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A base layer cut into fixed chunks for the checkpoint topic: which sectors of a chunk the layer holds and
 * their data ({@link #read}), and the same written back into a base layer ({@link #write}).
 */
public final class BaseChunks {
    /** Bytes per chunk: a record stays well under the topics' 2 MiB limit (the largest Write is the same size). */
    public static final int CHUNK_SIZE = Limits.MAX_WRITE_BYTES;
    private static final int SECTOR = Limits.SECTOR;

    private BaseChunks() {
    }

    /** The chunks that {@code extents} touch, in order. */
    public static TreeSet<Long> touched(List<Extent> extents) {
        TreeSet<Long> out = new TreeSet<>();
        for (Extent e : extents) {
            for (long i = e.offset() / CHUNK_SIZE; i * CHUNK_SIZE < e.end(); i++) {
                out.add(i);
            }
        }
        return out;
    }

    /** Chunk {@code index} of {@code base} as it is now; null if the base holds none of its sectors. */
    public static BaseChunk read(VhdImage base, DiskState disk, long index, long mergeOffset) throws IOException {
        long start = index * CHUNK_SIZE;
        int length = (int) Math.min(CHUNK_SIZE, base.virtualSize() - start);
        byte[] bitmap = new byte[(length / SECTOR + 7) / 8];
        List<long[]> present = new ArrayList<>();
        base.mapRuns(start, length, (offset, len, fileOffset) -> {
            if (fileOffset >= 0) {
                present.add(new long[] {offset, len});
            }
        });
        if (present.isEmpty()) {
            return null;
        }
        long bytes = present.stream().mapToLong(r -> r[1]).sum();
        ByteBuffer data = ByteBuffer.allocate((int) bytes);
        for (long[] r : present) {
            base.readPresent(r[0], data.slice(data.position(), (int) r[1]));
            data.position(data.position() + (int) r[1]);
            for (long s = (r[0] - start) / SECTOR; s < (r[0] - start + r[1]) / SECTOR; s++) {
                bitmap[(int) (s >>> 3)] |= (byte) (1 << (s & 7));
            }
        }
        return BaseChunk.newBuilder().setDiskId(disk.diskId()).setIndex(index).setChunkSize(CHUNK_SIZE)
                .setMergeOffset(mergeOffset).setVirtualSize(disk.virtualSize()).setBlockSize(disk.blockSize())
                .setCreatedOffset(disk.createdOffset()).setCreatedAt(disk.createdAt())
                .setSectors(ByteBuffer.wrap(bitmap)).setData(data.flip()).build();
    }

    /**
     * Writes the chunk's sectors into {@code base}. Throws {@link IllegalArgumentException} when the chunk does
     * not fit the base or its bitmap and data disagree (a corrupt record must not write wrong bytes).
     */
    public static void write(VhdImage base, BaseChunk chunk) throws IOException {
        long start = chunk.getIndex() * (long) chunk.getChunkSize();
        if (chunk.getChunkSize() <= 0 || chunk.getChunkSize() % SECTOR != 0 || chunk.getIndex() < 0
                || start >= base.virtualSize()) {
            throw new IllegalArgumentException("chunk " + chunk.getIndex() + " of " + chunk.getChunkSize()
                    + " bytes is outside a disk of " + base.virtualSize() + " bytes");
        }
        int sectors = (int) (Math.min(chunk.getChunkSize(), base.virtualSize() - start) / SECTOR);
        ByteBuffer bitmap = chunk.getSectors().duplicate();
        ByteBuffer data = chunk.getData().duplicate();
        if (bitmap.remaining() != (sectors + 7) / 8) {
            throw new IllegalArgumentException("chunk " + chunk.getIndex() + ": a bitmap of " + bitmap.remaining()
                    + " bytes for " + sectors + " sectors");
        }
        long marked = 0;
        for (int s = 0; s < bitmap.remaining() * 8; s++) {
            int bit = (bitmap.get(bitmap.position() + (s >>> 3)) >>> (s & 7)) & 1;
            if (bit != 0 && s >= sectors) {
                throw new IllegalArgumentException("chunk " + chunk.getIndex() + ": its bitmap marks sector " + s
                        + " of a chunk of " + sectors);
            }
            marked += bit;
        }
        if (marked * SECTOR != data.remaining()) {
            throw new IllegalArgumentException("chunk " + chunk.getIndex() + ": its bitmap marks " + marked
                    + " sectors but it carries " + data.remaining() + " bytes of data");
        }
        int runStart = -1;
        for (int s = 0; s <= sectors; s++) {
            boolean set = s < sectors && (bitmap.get(bitmap.position() + (s >>> 3)) & (1 << (s & 7))) != 0;
            if (set && runStart < 0) {
                runStart = s;
            } else if (!set && runStart >= 0) {
                int len = (s - runStart) * SECTOR;
                ByteBuffer run = data.slice(data.position(), len);
                base.write(start + (long) runStart * SECTOR, run);
                data.position(data.position() + len);
                runStart = -1;
            }
        }
    }
}
