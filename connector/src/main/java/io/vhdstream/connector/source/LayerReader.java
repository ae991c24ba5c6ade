package io.vhdstream.connector.source;

import io.vhdstream.connector.convert.ChangedBlockFrame;
import io.vhdstream.schemas.LayerDigest;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts one sealed layer into the pieces that become its ChangedBlock and ZeroExtent records, and keeps the
 * layer's {@link LayerDigest} as it goes.
 *
 * <p>The cut is a function of the layer's content and the chunk size only, so a restarted task that
 * replays it reaches the same record boundaries ({@link #skip}): the layer's present extents
 * ({@code VhdImage.presentExtents}) in offset order, each cut at multiples of the chunk size on the disk;
 * an all-zero chunk starts a ZeroExtent that extends over the following all-zero chunks of the same extent,
 * up to {@link #ZERO_RUN_MAX} bytes. Every other chunk is a ChangedBlock.
 *
 * <p>Cost: reading and hashing each present byte once (twice for the prefix of a resumed layer).
 */
final class LayerReader implements Closeable {
    /** A ZeroExtent stops growing once this long (it may pass it by less than a chunk): one call never reads without bound. */
    static final long ZERO_RUN_MAX = 64L << 20;
    private static final byte[] ZEROS = new byte[64 * 1024];

    /** A piece of the layer: data, or a zero run. */
    sealed interface Piece permits Data, Zeros {
        long offset();

        long length();

        default long end() {
            return offset() + length();
        }
    }

    /** A chunk of data, in the array the buffers gave for it. */
    record Data(long offset, ChangedBlockFrame.Frame frame, byte[] sha256) implements Piece {
        @Override
        public long length() {
            return frame.dataLength();
        }

        /** The data alone (no copy with {@link ChunkBuffers#PLAIN}). */
        byte[] data() {
            byte[] a = frame.array();
            int at = frame.dataOffset();
            int n = frame.dataLength();
            return at == 0 && n == a.length ? a : Arrays.copyOfRange(a, at, at + n);
        }
    }

    /** Where chunks are read to: plain arrays, or the arrays of the records they become. */
    @FunctionalInterface
    interface ChunkBuffers {
        ChunkBuffers PLAIN = (extentIndex, offset, length) -> new ChangedBlockFrame.Frame(new byte[length], 0, length);

        /** Called on the reading thread; {@code extentIndex} is the index the chunk gets if it holds data. */
        ChangedBlockFrame.Frame frame(long extentIndex, long offset, int length);
    }

    record Zeros(long offset, long length) implements Piece {
    }

    private final VhdImage image;
    private final List<Extent> extents;
    private final int chunk;
    private final ChunkBuffers buffers;
    private final LayerDigest digest = new LayerDigest();
    private int extent;
    private long pos;
    private ChangedBlockFrame.Frame pending; // a non-zero chunk read while extending a zero run, starting at pos
    private long lastEnd;

    LayerReader(Path file, int chunkSize) throws IOException {
        this(file, chunkSize, ChunkBuffers.PLAIN);
    }

    LayerReader(Path file, int chunkSize, ChunkBuffers buffers) throws IOException {
        this.buffers = buffers;
        this.image = VhdImage.open(file, OpenOptions.READ);
        try {
            this.extents = image.presentExtents();
        } catch (IOException | RuntimeException e) {
            image.close();
            throw e;
        }
        this.chunk = chunkSize;
        this.pos = extents.isEmpty() ? 0 : extents.get(0).offset();
    }

    /** Records cut so far: the next record's extentIndex. */
    long extentCount() {
        return digest.extentCount();
    }

    /** Where the last piece ended (0 before the first). */
    long lastEnd() {
        return lastEnd;
    }

    /** The next piece, or null when the layer is exhausted. */
    Piece next() throws IOException {
        if (extent >= extents.size()) {
            return null;
        }
        Extent ext = extents.get(extent);
        long start = pos;
        long chunkEnd = Math.min(ext.end(), (pos / chunk + 1) * chunk);
        ChangedBlockFrame.Frame buf = take(start, chunkEnd, digest.extentCount());
        if (!isZero(buf)) {
            advance(chunkEnd);
            // Chunks are cut at chunk-aligned windows and at extents: at the content digest's granule, each
            // chunk is all the layer holds in its window, and the digest can reuse the record's SHA-256.
            byte[] sha = digest.changedBlock(start, ByteBuffer.wrap(buf.array(), buf.dataOffset(), buf.dataLength()),
                    chunk == io.vhdstream.schemas.ContentDigest.GRANULE);
            lastEnd = chunkEnd;
            return new Data(start, buf, sha);
        }
        long runEnd = chunkEnd;
        // The run continues only inside this extent: taken before advance() may step to the next one.
        int runExtent = extent;
        advance(chunkEnd);
        while (extent == runExtent && extent < extents.size() && runEnd - start < ZERO_RUN_MAX) {
            long nEnd = Math.min(ext.end(), pos + chunk); // pos is on a chunk boundary here
            // If this chunk holds data it is the record after the zero run's.
            ChangedBlockFrame.Frame b = take(pos, nEnd, digest.extentCount() + 1);
            if (!isZero(b)) {
                pending = b;
                break;
            }
            runEnd = nEnd;
            advance(nEnd);
        }
        digest.zeroExtent(start, runEnd - start);
        lastEnd = runEnd;
        return new Zeros(start, runEnd - start);
    }

    /**
     * Replays the first {@code records} pieces without emitting them, so that the digest covers them.
     *
     * @return false if the layer does not cut into at least that many records ending at {@code end}: it is
     *         not the layer the offset was stored for
     */
    boolean skip(long records, long end) throws IOException {
        while (digest.extentCount() < records) {
            if (next() == null) {
                return false;
            }
        }
        return lastEnd == end;
    }

    /** The values EndOfLayer carries; call once {@link #next()} returned null. */
    LayerDigest.Summary finish() {
        return digest.finish();
    }

    private ChangedBlockFrame.Frame take(long from, long to, long extentIndex) throws IOException {
        if (pending != null) {
            ChangedBlockFrame.Frame b = pending;
            pending = null;
            if (b.dataLength() == to - from) {
                return b;
            }
            throw new IllegalStateException("lookahead of " + b.dataLength() + " bytes at " + from + " does not match " + (to - from));
        }
        ChangedBlockFrame.Frame f = buffers.frame(extentIndex, from, (int) (to - from));
        image.readPresent(from, ByteBuffer.wrap(f.array(), f.dataOffset(), f.dataLength()));
        return f;
    }

    private void advance(long to) {
        pos = to;
        if (pos >= extents.get(extent).end()) {
            extent++;
            if (extent < extents.size()) {
                pos = extents.get(extent).offset();
            }
        }
    }

    static boolean isZero(ChangedBlockFrame.Frame f) {
        byte[] b = f.array();
        int end = f.dataOffset() + f.dataLength();
        for (int at = f.dataOffset(); at < end; at += ZEROS.length) {
            int n = Math.min(ZEROS.length, end - at);
            if (Arrays.mismatch(b, at, at + n, ZEROS, 0, n) >= 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        image.close();
    }
}
