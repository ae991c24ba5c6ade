package io.vhdstream.nbd.journal;

import io.vhdstream.schemas.Limits;
import io.vhdstream.topology.disk.FileOps;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.image.VhdImage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The server's local copy of a read-write disk: a dynamic VHD ({@code image.vhd}: holes stay holes, a trim of
 * unallocated space costs nothing) holding the disk as the command log says up to an offset, and
 * {@code applied}, the next log offset to apply, replaced atomically after the image is synced. Only records
 * Kafka acknowledged are applied, in log order, so replaying the log from {@code applied} always converges
 * (a later record overwrites whatever an earlier, unsynced application left). Not thread-safe.
 */
final class LocalImage implements Closeable {
    static final String IMAGE = "image.vhd";
    static final String APPLIED = "applied";
    /** Present once the log deleted the disk: disk ids are not reused (the topology rejects their commands). */
    static final String DELETED = "deleted";

    private final Path dir;
    private VhdChain chain;
    private long next;

    private LocalImage(Path dir, VhdChain chain, long next) {
        this.dir = dir;
        this.chain = chain;
        this.next = next;
    }

    /** The state in {@code dir}; no image (and next offset 0) when nothing was applied yet. */
    static LocalImage open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path applied = dir.resolve(APPLIED);
        Path image = dir.resolve(IMAGE);
        if (!Files.exists(applied)) {
            Files.deleteIfExists(image);   // made before the first checkpoint: the replay makes it again
            return new LocalImage(dir, null, 0);
        }
        long next;
        try {
            next = Long.parseLong(Files.readString(applied, StandardCharsets.UTF_8).trim());
        } catch (NumberFormatException e) {
            throw new IOException(applied + " is damaged (" + e.getMessage() + "); delete " + dir + " to rebuild it from the log", e);
        }
        VhdChain chain = Files.exists(image) ? VhdChain.open(image, ChainOptions.forImage(image), true) : null;
        return new LocalImage(dir, chain, next);
    }

    boolean exists() {
        return chain != null;
    }

    boolean deleted() {
        return Files.exists(dir.resolve(DELETED));
    }

    long size() {
        return chain.virtualSize();
    }

    /** The next log offset to apply. */
    long next() {
        return next;
    }

    /** A fresh empty disk (CreateDisk). */
    void create(long size, int blockSize) throws IOException {
        Files.deleteIfExists(dir.resolve(IMAGE));
        VhdCreator.dynamic(dir.resolve(IMAGE), size, blockSize);
        Path image = dir.resolve(IMAGE);
        chain = VhdChain.open(image, ChainOptions.forImage(image), true);
    }

    /** The disk was deleted: nothing remains but the mark. */
    void delete() throws IOException {
        FileOps.atomicWrite(dir.resolve(DELETED), new byte[0]);
        if (chain != null) {
            chain.close();
            chain = null;
        }
        Files.deleteIfExists(dir.resolve(IMAGE));
    }

    /** True if a Write or Trim of this range is one the topology applies (it rejects the rest). */
    boolean valid(long offset, long length) {
        return chain != null && Limits.isSectorAligned(offset) && Limits.isSectorAligned(length) && length > 0
                && offset + length <= size() && offset + length > offset;
    }

    void write(long offset, ByteBuffer data) throws IOException {
        top().write(offset, data);
    }

    void zero(long offset, long length) throws IOException {
        top().zero(offset, length);
    }

    void read(long offset, ByteBuffer dst) throws IOException {
        chain.read(offset, dst);
    }

    VhdChain chain() {
        return chain;
    }

    /** Everything below {@code nextOffset} is applied: sync the image, then record the offset. */
    void checkpoint(long nextOffset) throws IOException {
        if (chain != null) {
            top().sync();
        }
        FileOps.atomicWrite(dir.resolve(APPLIED), (nextOffset + "\n").getBytes(StandardCharsets.UTF_8));
        next = nextOffset;
    }

    private VhdImage top() {
        return chain.top();
    }

    @Override
    public void close() throws IOException {
        if (chain != null) {
            chain.close();
        }
    }
}
