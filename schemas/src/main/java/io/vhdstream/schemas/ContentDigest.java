package io.vhdstream.schemas;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The content digest of one VHD layer ({@code LayerSealed.contentSha256},
 * {@code EndOfLayer.contentSha256}): the topology computes it when it seals a layer, the connector
 * when it reads the layer back, and the two must agree. It therefore depends only on which sectors
 * are present in the layer and on their bytes, not on how a writer cut the layer into records, nor
 * on whether all-zero ranges were sent as data or as zero extents.
 *
 * <p>Definition. Take the layer's present sectors in ascending order and group them into maximal
 * <em>runs</em> of consecutive sectors that are either all not-all-zero ("data run", kind 1) or all
 * all-zero ("zero run", kind 2); a data run is also cut where the disk crosses a multiple of
 * {@link #GRANULE} bytes. The digest is SHA-256 over, for each run in order:
 * <ol>
 *   <li>for a data run only: the SHA-256 of the run's bytes (32 bytes);</li>
 *   <li>a 17-byte trailer: the run's byte offset (8 bytes, big-endian), its byte length (8 bytes,
 *       big-endian), its kind (1 byte).</li>
 * </ol>
 * A layer with no present sector hashes the empty input. Zero runs cost O(1) however long they are.
 * Hashing each data run on its own, cut at the granule, lets the changed-block source reuse the
 * SHA-256 it computes for a record anyway ({@link #dataPiece}): with 512 KiB chunks each byte is
 * hashed once, not twice.
 *
 * <p>Feed ranges in ascending, non-overlapping order; offsets and lengths are multiples of
 * {@link Limits#SECTOR}. Not thread-safe; one instance per layer.
 */
public final class ContentDigest {

    /** Data runs are cut at multiples of this many bytes of the disk (the default chunk size). */
    public static final int GRANULE = Limits.CHUNK_DEFAULT;
    static final byte KIND_DATA = 1;
    static final byte KIND_ZERO = 2;
    private static final byte[] ZERO_SECTOR = new byte[Limits.SECTOR];

    private final long granule;
    private final MessageDigest sha = newSha256();
    private final MessageDigest piece = newSha256();
    private long pieceEnd = -1; // end of the last run given whole by dataPiece, which no data may extend
    private final ByteBuffer trailer = ByteBuffer.allocate(17);
    private long nextOffset;
    private byte runKind; // 0 while no run is open
    private long runOffset;
    private long runLength;
    private boolean finished;

    public ContentDigest() {
        this(GRANULE);
    }

    /** With another granule: for tests that exercise the cut on small layers. */
    ContentDigest(long granule) {
        this.granule = granule;
    }

    /**
     * Adds a whole data run given by its SHA-256 instead of its bytes: sectors none of which is all
     * zeros, inside one granule, not continuing a data run fed before. Returns false, having added
     * nothing, when the range does not qualify as far as this digest can tell; the caller then feeds
     * the bytes with {@link #data}. The caller vouches that the run also ends here (the next present
     * sector, if any, is not adjacent in the same granule); a later range that contradicts it fails.
     */
    public boolean dataPiece(long offset, long length, byte[] pieceSha256) {
        checkRange(offset, length);
        if (offset == pieceEnd && offset % granule != 0) {
            throw new IllegalStateException("a piece at " + offset + " continues the run given whole before it");
        }
        if (pieceSha256.length != 32 || offset / granule != (offset + length - 1) / granule
                || extendsRun(KIND_DATA, offset)) {
            return false;
        }
        closeRun();
        sha.update(pieceSha256);
        trailer(offset, length, KIND_DATA);
        pieceEnd = offset + length;
        nextOffset = offset + length;
        return true;
    }

    /** Adds present sectors with their bytes (which may contain all-zero sectors). */
    public void data(long offset, byte[] bytes, int from, int length) {
        checkRange(offset, length);
        if (offset == pieceEnd && offset % granule != 0 && !isZero(bytes, from)) {
            throw new IllegalStateException("data at " + offset + " continues a run given whole by dataPiece");
        }
        if (from < 0 || from > bytes.length - length) {
            throw new IndexOutOfBoundsException("range [" + from + ", +" + length + ") of " + bytes.length);
        }
        int spanStart = -1; // start, within bytes, of data not yet hashed (always inside the open run)
        for (int at = from; at < from + length; at += Limits.SECTOR) {
            long sectorOffset = offset + (at - from);
            byte kind = isZero(bytes, at) ? KIND_ZERO : KIND_DATA;
            if (!extendsRun(kind, sectorOffset)) {
                spanStart = hashSpan(bytes, spanStart, at);
                closeRun();
                runKind = kind;
                runOffset = sectorOffset;
                runLength = 0;
            }
            runLength += Limits.SECTOR;
            if (kind == KIND_DATA && spanStart < 0) {
                spanStart = at;
            }
        }
        hashSpan(bytes, spanStart, from + length);
        nextOffset = offset + length;
    }

    public void data(long offset, byte[] bytes) {
        data(offset, bytes, 0, bytes.length);
    }

    /** Adds the remaining bytes of {@code bytes}, leaving its position unchanged. */
    public void data(long offset, ByteBuffer bytes) {
        if (bytes.hasArray()) {
            data(offset, bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
        } else {
            byte[] copy = new byte[bytes.remaining()];
            bytes.duplicate().get(copy);
            data(offset, copy);
        }
    }

    /** Adds present sectors known to be all zeros. */
    public void zeros(long offset, long length) {
        checkRange(offset, length);
        if (!extendsRun(KIND_ZERO, offset)) {
            closeRun();
            runKind = KIND_ZERO;
            runOffset = offset;
            runLength = 0;
        }
        runLength += length;
        nextOffset = offset + length;
    }

    /** Completes the digest; the instance cannot be used afterwards. */
    public byte[] finish() {
        checkOpen();
        closeRun();
        finished = true;
        return sha.digest();
    }

    private boolean extendsRun(byte kind, long offset) {
        return runKind == kind && runOffset + runLength == offset
                && (kind == KIND_ZERO || offset / granule == runOffset / granule);
    }

    private int hashSpan(byte[] bytes, int spanStart, int end) {
        if (spanStart >= 0) {
            piece.update(bytes, spanStart, end - spanStart);
        }
        return -1;
    }

    private void closeRun() {
        if (runKind != 0) {
            if (runKind == KIND_DATA) {
                sha.update(piece.digest());
            }
            trailer(runOffset, runLength, runKind);
            runKind = 0;
        }
    }

    private void trailer(long offset, long length, byte kind) {
        trailer.clear();
        trailer.putLong(offset).putLong(length).put(kind);
        sha.update(trailer.array(), 0, 17);
    }

    private void checkRange(long offset, long length) {
        checkOpen();
        if (!Limits.isSectorAligned(offset) || !Limits.isSectorAligned(length) || length == 0) {
            throw new IllegalArgumentException("range [" + offset + ", +" + length
                    + ") is not a non-empty sector-aligned range");
        }
        if (offset < nextOffset) {
            throw new IllegalArgumentException("range at " + offset + " is not after the previous range, which ended at "
                    + nextOffset);
        }
        if (offset > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("range [" + offset + ", +" + length + ") overflows");
        }
    }

    private void checkOpen() {
        if (finished) {
            throw new IllegalStateException("digest already finished");
        }
    }

    private static boolean isZero(byte[] bytes, int at) {
        return Arrays.mismatch(bytes, at, at + Limits.SECTOR, ZERO_SECTOR, 0, Limits.SECTOR) < 0;
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
