package io.vhdstream.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ContentDigestTest {

    private static final int S = Limits.SECTOR;

    @Test
    void knownAnswerComputedFromTheDefinition() throws Exception {
        byte[] s0 = sector(1);
        byte[] s2 = sector(2);
        byte[] s3 = sector(3);
        byte[] s4 = sector(4);

        ContentDigest digest = new ContentDigest();
        digest.data(0, concat(s0, new byte[S], s2)); // data, zero, data sectors in one call
        digest.zeros(3 * S, 2 * S);                  // zero run right after the data run
        digest.zeros(5 * S, S);                      // extends that zero run
        digest.data(16 * S, s3);                     // after a gap of absent sectors
        digest.data(17 * S, s4);                     // extends that data run

        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(sha256(s0));
        sha.update(trailer(0, S, 1));
        sha.update(trailer(S, S, 2));
        sha.update(sha256(s2));
        sha.update(trailer(2 * S, S, 1));
        sha.update(trailer(3 * S, 3 * S, 2));
        sha.update(sha256(concat(s3, s4)));
        sha.update(trailer(16 * S, 2 * S, 1));
        assertArrayEquals(sha.digest(), digest.finish());
    }

    @Test
    void dataRunsAreCutAtTheGranule() throws Exception {
        long g = ContentDigest.GRANULE;
        byte[] a = sector(7);
        byte[] b = sector(8);
        ContentDigest digest = new ContentDigest();
        digest.data(g - S, concat(a, b)); // one call, two granules

        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(sha256(a));
        sha.update(trailer(g - S, S, 1));
        sha.update(sha256(b));
        sha.update(trailer(g, S, 1));
        assertArrayEquals(sha.digest(), digest.finish());
    }

    @Test
    void aPieceGivenByItsDigestEqualsItsBytes() throws Exception {
        byte[] run = concat(sector(1), sector(2), sector(3));
        ContentDigest bytes = new ContentDigest();
        bytes.data(8 * S, run);
        bytes.zeros(20 * S, S);
        ContentDigest piece = new ContentDigest();
        assertTrue(piece.dataPiece(8 * S, run.length, sha256(run)));
        piece.zeros(20 * S, S);
        assertArrayEquals(bytes.finish(), piece.finish());

        ContentDigest across = new ContentDigest();
        assertFalse(across.dataPiece(ContentDigest.GRANULE - S, 2 * S, sha256(run)), "spans two granules");
        ContentDigest continuing = new ContentDigest();
        continuing.data(0, sector(4));
        assertFalse(continuing.dataPiece(S, S, sha256(sector(5))), "continues an open data run");
        ContentDigest contradicted = new ContentDigest();
        assertTrue(contradicted.dataPiece(0, S, sha256(sector(6))));
        assertThrows(IllegalStateException.class, () -> contradicted.data(S, sector(9)));
    }

    @Test
    void emptyLayerHashesTheEmptyInput() throws Exception {
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(new byte[0]), new ContentDigest().finish());
    }

    @Test
    void independentOfChunkingAndOfHowZerosAreSent() throws Exception {
        Random random = new Random(5);
        for (int round = 0; round < 500; round++) {
            byte[][] layer = randomLayer(random, 1 + random.nextInt(80));
            byte[] expected = reference(layer, GRANULE_SECTORS);
            for (int feeding = 0; feeding < 3; feeding++) {
                assertArrayEquals(expected, feed(layer, random), "round " + round + " feeding " + feeding);
            }
        }
    }

    @Test
    void byteBufferAtAnArrayOffsetReadsTheRightBytes() {
        byte[] big = new byte[3 * S];
        new Random(9).nextBytes(big);
        ByteBuffer slice = ByteBuffer.wrap(big, 100, 2 * S).slice(); // arrayOffset 100, position 0
        ContentDigest a = new ContentDigest();
        a.data(0, slice);
        ContentDigest b = new ContentDigest();
        b.data(0, Arrays.copyOfRange(big, 100, 100 + 2 * S));
        assertArrayEquals(b.finish(), a.finish());
    }

    @Test
    void refusesWhatTheDefinitionCannotHash() {
        assertThrows(IllegalArgumentException.class, () -> new ContentDigest().data(1, new byte[S]));
        assertThrows(IllegalArgumentException.class, () -> new ContentDigest().data(0, new byte[S + 1]));
        assertThrows(IllegalArgumentException.class, () -> new ContentDigest().data(0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new ContentDigest().zeros(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ContentDigest().zeros(-S, S));
        assertThrows(IndexOutOfBoundsException.class, () -> new ContentDigest().data(0, new byte[S], S, S));
        ContentDigest d = new ContentDigest();
        d.data(4 * S, new byte[2 * S]);
        assertThrows(IllegalArgumentException.class, () -> d.zeros(5 * S, S), "overlap");
        assertThrows(IllegalArgumentException.class, () -> d.zeros(0, S), "out of order");
        assertThrows(IllegalArgumentException.class, () -> d.zeros(Long.MAX_VALUE - 511, 1024), "overflow");
        d.finish();
        assertThrows(IllegalStateException.class, d::finish);
    }

    /** Sector i is null (absent), all zeros, or random data. */
    static byte[][] randomLayer(Random random, int sectors) {
        byte[][] layer = new byte[sectors][];
        for (int i = 0; i < sectors; i++) {
            int kind = random.nextInt(3);
            layer[i] = kind == 0 ? null : kind == 1 ? new byte[S] : sector(random.nextLong());
        }
        return layer;
    }

    /** A small granule (in sectors) so that random 80-sector layers cross it often. */
    static final int GRANULE_SECTORS = 5;

    /** The definition, written independently of the streaming implementation. */
    static byte[] reference(byte[][] layer, int granuleSectors) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        int i = 0;
        while (i < layer.length) {
            if (layer[i] == null) {
                i++;
                continue;
            }
            boolean zero = isZero(layer[i]);
            MessageDigest run = MessageDigest.getInstance("SHA-256");
            int end = i;
            while (end < layer.length && layer[end] != null && isZero(layer[end]) == zero
                    && (zero || end == i || end % granuleSectors != 0)) {
                run.update(layer[end]);
                end++;
            }
            if (!zero) {
                sha.update(run.digest());
            }
            sha.update(trailer((long) i * S, (long) (end - i) * S, zero ? 2 : 1));
            i = end;
        }
        return sha.digest();
    }

    /** Feeds the present ranges in random chunks; all-zero chunks go as data or as zeros at random. */
    private static byte[] feed(byte[][] layer, Random random) {
        ContentDigest digest = new ContentDigest((long) GRANULE_SECTORS * S);
        int i = 0;
        while (i < layer.length) {
            if (layer[i] == null) {
                i++;
                continue;
            }
            int end = i;
            while (end < layer.length && layer[end] != null && end - i < 1 + random.nextInt(6)) {
                end++;
            }
            byte[] chunk = concat(Arrays.copyOfRange(layer, i, end));
            if (isZero(chunk) && random.nextBoolean()) {
                digest.zeros((long) i * S, chunk.length);
            } else {
                digest.data((long) i * S, chunk);
            }
            i = end;
        }
        return digest.finish();
    }

    static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    static byte[] trailer(long offset, long length, int kind) {
        return ByteBuffer.allocate(17).putLong(offset).putLong(length).put((byte) kind).array();
    }

    static byte[] sector(long seed) {
        byte[] b = new byte[S];
        new Random(seed).nextBytes(b);
        b[0] |= 1; // never all zeros
        return b;
    }

    static byte[] concat(byte[]... parts) {
        ByteBuffer out = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        Arrays.stream(parts).forEach(out::put);
        return out.array();
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
