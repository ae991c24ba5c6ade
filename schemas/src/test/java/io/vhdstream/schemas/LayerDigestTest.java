package io.vhdstream.schemas;

import static io.vhdstream.schemas.ContentDigestTest.trailer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vhdstream.schemas.block.EndOfLayer;
import io.vhdstream.schemas.common.Sha256s;
import io.vhdstream.schemas.common.Uuids;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LayerDigestTest {

    @Test
    void knownAnswerComputedWithMessageDigestDirectly() throws Exception {
        byte[] d1 = random(1024, 1);
        byte[] d2 = random(512, 2);

        LayerDigest digest = new LayerDigest();
        byte[] sha1 = digest.changedBlock(0, d1);
        digest.zeroExtent(4096, 8192);
        byte[] sha2 = digest.changedBlock(16384, ByteBuffer.wrap(d2));
        assertEquals(3, digest.extentCount());
        LayerDigest.Summary summary = digest.finish();

        byte[] expectedSha1 = MessageDigest.getInstance("SHA-256").digest(d1);
        byte[] expectedSha2 = MessageDigest.getInstance("SHA-256").digest(d2);
        assertArrayEquals(expectedSha1, sha1);
        assertArrayEquals(expectedSha2, sha2);

        MessageDigest records = MessageDigest.getInstance("SHA-256");
        records.update(ByteBuffer.allocate(17).putLong(0).putLong(1024).put((byte) 1).array());
        records.update(expectedSha1);
        records.update(ByteBuffer.allocate(17).putLong(4096).putLong(8192).put((byte) 2).array());
        records.update(ByteBuffer.allocate(17).putLong(16384).putLong(512).put((byte) 1).array());
        records.update(expectedSha2);
        assertArrayEquals(records.digest(), summary.recordsSha256());

        MessageDigest content = MessageDigest.getInstance("SHA-256");
        content.update(expectedSha1);
        content.update(trailer(0, 1024, 1));
        content.update(trailer(4096, 8192, 2));
        content.update(expectedSha2);
        content.update(trailer(16384, 512, 1));
        assertArrayEquals(content.digest(), summary.contentSha256());

        assertEquals(3, summary.extentCount());
        assertEquals(1024 + 8192 + 512, summary.bytes());
    }

    @Test
    void recordsDigestDependsOnChunkingButContentDigestDoesNot() {
        byte[] data = random(2048, 3);
        LayerDigest whole = new LayerDigest();
        whole.changedBlock(0, data);
        LayerDigest halves = new LayerDigest();
        halves.changedBlock(0, ByteBuffer.wrap(data, 0, 1024).slice());
        halves.changedBlock(1024, ByteBuffer.wrap(data, 1024, 1024).slice());
        LayerDigest.Summary a = whole.finish();
        LayerDigest.Summary b = halves.finish();
        assertFalse(java.util.Arrays.equals(a.recordsSha256(), b.recordsSha256()));
        assertArrayEquals(a.contentSha256(), b.contentSha256());
        assertEquals(a.bytes(), b.bytes());
    }

    @Test
    void wholeWindowRecordsGiveTheSameContentDigestWithOnePass() {
        byte[] data = random(3 * 512, 5);
        LayerDigest slow = new LayerDigest();
        slow.changedBlock(ContentDigest.GRANULE, ByteBuffer.wrap(data));
        slow.zeroExtent(ContentDigest.GRANULE * 2L, 512);
        LayerDigest fast = new LayerDigest();
        fast.changedBlock(ContentDigest.GRANULE, ByteBuffer.wrap(data), true);
        fast.zeroExtent(ContentDigest.GRANULE * 2L, 512);
        assertArrayEquals(slow.finish().contentSha256(), fast.finish().contentSha256());
    }

    @Test
    void bufferPositionIsLeftAlone() {
        ByteBuffer data = ByteBuffer.wrap(random(1024, 4));
        data.position(512);
        byte[] sha = new LayerDigest().changedBlock(4096, data);
        assertEquals(512, data.position());
        assertArrayEquals(LayerDigest.sha256(java.util.Arrays.copyOfRange(data.array(), 512, 1024)), sha);
    }

    @Test
    void summaryMatchesOnlyTheEndOfLayerItDescribes() {
        LayerDigest digest = new LayerDigest();
        digest.changedBlock(0, random(512, 5));
        LayerDigest.Summary s = digest.finish();
        EndOfLayer end = new EndOfLayer("disk-01", Uuids.of(new UUID(1, 2)), null, 0, "layer-00000.vhd", 1L << 20,
                1L, 512L, Sha256s.of(s.recordsSha256()), Sha256s.of(s.contentSha256()));
        assertTrue(s.matches(end));
        end.setExtentCount(2L);
        assertFalse(s.matches(end));
        end.setExtentCount(1L);
        end.setContentSha256(Sha256s.of(s.recordsSha256()));
        assertFalse(s.matches(end));
    }

    @Test
    void outOfOrderRecordsAreRefused() {
        LayerDigest digest = new LayerDigest();
        digest.zeroExtent(8192, 512);
        assertThrows(IllegalArgumentException.class, () -> digest.changedBlock(0, new byte[512]));
        assertThrows(IllegalArgumentException.class, () -> digest.zeroExtent(8192, 512));
        assertEquals(1, digest.extentCount(), "a refused record is not counted");
    }

    private static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        for (int i = 0; i < length; i += 512) {
            b[i] |= 1; // no all-zero sector, so each record is one data run
        }
        return b;
    }
}
