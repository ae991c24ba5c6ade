package io.vhdstream.schemas;

import io.vhdstream.schemas.block.EndOfLayer;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Everything {@code EndOfLayer} summarises about a layer's {@code ChangedBlock} and
 * {@code ZeroExtent} records, computed identically by the source connector (while emitting) and by
 * a sink (while receiving), so that the sink can prove it saw the whole layer.
 *
 * <p>{@code recordsSha256} is SHA-256 over, for each record in {@code extentIndex} order:
 * <ol>
 *   <li>offset, 8 bytes big-endian;</li>
 *   <li>length, 8 bytes big-endian;</li>
 *   <li>a type byte: {@link #CHANGED_BLOCK} (1) or {@link #ZERO_EXTENT} (2);</li>
 *   <li>for a ChangedBlock only: the 32-byte SHA-256 of its data (its {@code sha256} field).</li>
 * </ol>
 * It binds the exact record sequence, so it differs between two chunkings of the same layer.
 * {@code contentSha256} is the chunking-independent {@link ContentDigest}, the one that can be
 * compared with the topology's {@code LayerSealed.contentSha256}.
 *
 * <p>Records must come in ascending, non-overlapping, sector-aligned order. Not thread-safe.
 */
public final class LayerDigest {

    public static final byte CHANGED_BLOCK = 1;
    public static final byte ZERO_EXTENT = 2;

    private final MessageDigest records = ContentDigest.newSha256();
    private final ContentDigest content = new ContentDigest();
    private final ByteBuffer head = ByteBuffer.allocate(17);
    private long extentCount;
    private long bytes;

    /** The four values an {@code EndOfLayer} carries about the layer's extents. */
    public record Summary(long extentCount, long bytes, byte[] recordsSha256, byte[] contentSha256) {

        /** True if {@code end} announces exactly this summary. */
        public boolean matches(EndOfLayer end) {
            return end.getExtentCount() == extentCount
                    && end.getBytes() == bytes
                    && Arrays.equals(end.getRecordsSha256().bytes(), recordsSha256)
                    && Arrays.equals(end.getContentSha256().bytes(), contentSha256);
        }
    }

    /**
     * Adds a ChangedBlock whose data is the remaining bytes of {@code data} (position unchanged).
     *
     * @return the SHA-256 of the data, the record's {@code sha256} (a sink compares it with the
     *         value it received)
     */
    public byte[] changedBlock(long offset, ByteBuffer data) {
        return changedBlock(offset, data, false);
    }

    /**
     * Like {@link #changedBlock(long, ByteBuffer)}, for a writer that knows the record holds everything the
     * layer has inside its {@link ContentDigest#GRANULE}-aligned window (its chunks are cut at those
     * windows and at the layer's extents): then a record without all-zero sectors is a whole run of the
     * content digest, which reuses the record's SHA-256 instead of hashing the bytes a second time.
     */
    public byte[] changedBlock(long offset, ByteBuffer data, boolean wholeWindow) {
        int length = data.remaining();
        byte[] dataSha = sha256(data);
        if (!(wholeWindow && length > 0 && noZeroSector(data) && content.dataPiece(offset, length, dataSha))) {
            content.data(offset, data); // also validates the range
        }
        addRecord(offset, length, CHANGED_BLOCK);
        records.update(dataSha);
        return dataSha;
    }

    public byte[] changedBlock(long offset, byte[] data) {
        return changedBlock(offset, ByteBuffer.wrap(data));
    }

    /** Adds a ZeroExtent. */
    public void zeroExtent(long offset, long length) {
        content.zeros(offset, length);
        addRecord(offset, length, ZERO_EXTENT);
    }

    /** Records added so far: the next record's {@code extentIndex}. */
    public long extentCount() {
        return extentCount;
    }

    /** Completes both digests; the instance cannot be used afterwards. */
    public Summary finish() {
        byte[] contentSha = content.finish();
        return new Summary(extentCount, bytes, records.digest(), contentSha);
    }

    private static final byte[] ZERO_SECTOR = new byte[Limits.SECTOR];

    private static boolean noZeroSector(ByteBuffer data) {
        if (!data.hasArray() || data.remaining() % Limits.SECTOR != 0) {
            return false;
        }
        byte[] a = data.array();
        int from = data.arrayOffset() + data.position();
        for (int at = from; at < from + data.remaining(); at += Limits.SECTOR) {
            if (Arrays.mismatch(a, at, at + Limits.SECTOR, ZERO_SECTOR, 0, Limits.SECTOR) < 0) {
                return false;
            }
        }
        return true;
    }

    /** SHA-256 of the remaining bytes of {@code data}, leaving its position unchanged. */
    public static byte[] sha256(ByteBuffer data) {
        MessageDigest sha = ContentDigest.newSha256();
        sha.update(data.duplicate());
        return sha.digest();
    }

    public static byte[] sha256(byte[] data) {
        return ContentDigest.newSha256().digest(data);
    }

    private void addRecord(long offset, long length, byte type) {
        head.clear();
        head.putLong(offset).putLong(length).put(type);
        records.update(head.array(), 0, 17);
        extentCount++;
        bytes += length;
    }
}
