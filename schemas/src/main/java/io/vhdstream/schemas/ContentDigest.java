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
 * all-zero ("zero run", kind 2). The digest is SHA-256 over, for each run in order:
 * <ol>
 *   <li>for a data run only: the run's bytes;</li>
 *   <li>a 17-byte trailer: the run's byte offset (8 bytes, big-endian), its byte length (8 bytes,
 *       big-endian), its kind (1 byte).</li>
 * </ol>
 * A layer with no present sector hashes the empty input. The trailer comes after the data so that
 * the digest can be computed in one streaming pass; zero runs cost O(1) however long they are.
 *
 * <p>Feed ranges in ascending, non-overlapping order; offsets and lengths are multiples of
 * {@link Limits#SECTOR}. Not thread-safe; one instance per layer.
 */
public final class ContentDigest {

    static final byte KIND_DATA = 1;
    static final byte KIND_ZERO = 2;
    private static final byte[] ZERO_SECTOR = new byte[Limits.SECTOR];

    private final MessageDigest sha = newSha256();
    private final ByteBuffer trailer = ByteBuffer.allocate(17);
    private long nextOffset;
    private byte runKind; // 0 while no run is open
    private long runOffset;
    private long runLength;
    private boolean finished;

    /** Adds present sectors with their bytes (which may contain all-zero sectors). */
    public void data(long offset, byte[] bytes, int from, int length) {
        checkRange(offset, length);
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
        return runKind == kind && runOffset + runLength == offset;
    }

    private int hashSpan(byte[] bytes, int spanStart, int end) {
        if (spanStart >= 0) {
            sha.update(bytes, spanStart, end - spanStart);
        }
        return -1;
    }

    private void closeRun() {
        if (runKind != 0) {
            trailer.clear();
            trailer.putLong(runOffset).putLong(runLength).put(runKind);
            sha.update(trailer.array(), 0, 17);
            runKind = 0;
        }
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
