package io.vhdstream.connector.sink;

import io.vhdstream.schemas.LayerDigest;
import io.vhdstream.schemas.block.EndOfLayer;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.image.VhdImage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Whether a replica layer is what its EndOfLayer describes: every record from 0 to extentCount-1 applied, the replica's
 * bytes of each record matching the record (its SHA-256, or zeros), the record and content digests equal to the
 * EndOfLayer's, and no sector present that the records did not write.
 */
final class ReplicaVerifier {
    /** Zero extents are read back in pieces of this size. */
    static final int ZERO_PIECE = 1 << 20;
    private static final byte[] ZEROS = new byte[ZERO_PIECE];

    /** The replica layer differs from its EndOfLayer; the message says how. */
    static final class Mismatch extends Exception {
        private static final long serialVersionUID = 1L;

        Mismatch(String message) {
            super(message);
        }
    }

    private ReplicaVerifier() {
    }

    /**
     * Syncs the layer's writers, then replays its record log against its file.
     *
     * @return the digests of what the replica holds, equal to the EndOfLayer's
     * @throws Mismatch if anything differs
     */
    static LayerDigest.Summary verify(VhdImage image, RecordLog rl, EndOfLayer e) throws IOException, Mismatch {
        if (rl.count() != e.getExtentCount()) {
            throw new Mismatch("EndOfLayer announces " + e.getExtentCount() + " records, the replica applied " + rl.count());
        }
        image.sync();
        rl.sync();
        LayerDigest digest = new LayerDigest();
        for (long i = 0; i < rl.count(); i++) {
            RecordLog.Entry en = rl.get(i);
            if (en.length() > Integer.MAX_VALUE - 8) {
                throw new Mismatch("record " + en + " is too long to verify");
            }
            byte[] b = new byte[(int) Math.min(en.length(), en.type() == LayerDigest.ZERO_EXTENT ? ZERO_PIECE : en.length())];
            if (en.type() == LayerDigest.CHANGED_BLOCK) {
                image.readPresent(en.offset(), ByteBuffer.wrap(b));
                byte[] sha = digest.changedBlock(en.offset(), b);
                if (!Arrays.equals(sha, en.sha256())) {
                    throw new Mismatch("the replica's bytes for record " + en + " do not match the record's SHA-256");
                }
            } else {
                for (long done = 0; done < en.length(); done += b.length) {
                    int n = (int) Math.min(b.length, en.length() - done);
                    ByteBuffer bb = ByteBuffer.wrap(b, 0, n);
                    image.readPresent(en.offset() + done, bb);
                    if (Arrays.mismatch(b, 0, n, ZEROS, 0, n) >= 0) {
                        throw new Mismatch("the replica does not read zeros for record " + en);
                    }
                }
                digest.zeroExtent(en.offset(), en.length());
            }
        }
        LayerDigest.Summary sum = digest.finish();
        if (!sum.matches(e)) {
            HexFormat hex = HexFormat.of();
            throw new Mismatch("checksum mismatch: EndOfLayer has " + e.getExtentCount() + " records, " + e.getBytes()
                    + " bytes, records " + hex.formatHex(e.getRecordsSha256().bytes()) + ", content "
                    + hex.formatHex(e.getContentSha256().bytes()) + "; the replica has " + sum.extentCount() + ", "
                    + sum.bytes() + ", " + hex.formatHex(sum.recordsSha256()) + ", " + hex.formatHex(sum.contentSha256()));
        }
        long present = 0;
        for (Extent x : image.presentExtents()) {
            present += x.length();
        }
        if (present != e.getBytes()) {
            throw new Mismatch("the replica layer holds " + present + " bytes, the source layer " + e.getBytes());
        }
        return sum;
    }
}
