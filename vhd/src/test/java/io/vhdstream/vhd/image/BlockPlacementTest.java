package io.vhdstream.vhd.image;

import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.check.VhdChecker;
import io.vhdstream.vhd.create.VhdCreator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** New blocks are placed so that their data is aligned, and the space skipped to get there holds nothing stale. */
class BlockPlacementTest {
    @TempDir
    Path dir;

    @Test
    void alignmentRule() {
        assertEquals(64 * 1024, SparseImage.dataAlignment(2 << 20));
        assertEquals(16 * 1024, SparseImage.dataAlignment(512 << 10));
        assertEquals(512, SparseImage.dataAlignment(4096));   // tiny blocks: plain sector placement
        // data right after the bitmap lands on the next multiple of the alignment at or after free + bitmap
        assertEquals(65536 - 512, SparseImage.alignedBlockStart(512, 512, 2 << 20));
        assertEquals(65536 - 512, SparseImage.alignedBlockStart(65536 - 512, 512, 2 << 20));
        assertEquals(2 * 65536 - 512, SparseImage.alignedBlockStart(65536, 512, 2 << 20));
    }

    @Test
    void aBlockAllocatedByALargeWriteFollowsThePreviousOneWithoutAGap() throws Exception {
        Path f = dir.resolve("stream.vhd");
        VhdCreator.dynamic(f, 16 << 20, 2 << 20);
        try (VhdImage img = VhdImage.open(f, OpenOptions.WRITE)) {
            img.write(0, ByteBuffer.allocate(4096));                                        // small: aligned
            img.write(2 << 20, ByteBuffer.allocate(SparseImage.STREAMING_WRITE_BYTES));    // large: right after
        }
        byte[] file = Files.readAllBytes(f);
        try (VhdImage img = VhdImage.open(f, OpenOptions.READ)) {
            SparseImage s = (SparseImage) img;
            long first = (ByteBuffer.wrap(file, (int) s.header().tableOffset(), 4).getInt() & 0xFFFF_FFFFL) * 512;
            long second = (ByteBuffer.wrap(file, (int) s.header().tableOffset() + 4, 4).getInt() & 0xFFFF_FFFFL) * 512;
            assertEquals(0, (first + 512) % (64 * 1024), "the small write's block has aligned data");
            assertEquals(first + 512 + (2 << 20), second, "the large write's block follows without a gap");
        }
        assertTrue(VhdChecker.check(f, ChainOptions.forImage(f)).clean());
    }

    @Test
    void blocksWrittenInAnyOrderHaveAlignedDataAndNoStaleFooterCopies() throws Exception {
        for (long blockSize : new long[] {2 << 20, 512 << 10, 64 << 10}) {
            Path f = dir.resolve("b" + blockSize + ".vhd");
            long size = 40 * blockSize;
            VhdCreator.dynamic(f, size, blockSize);
            byte[] model = new byte[(int) size];
            Random r = new Random(blockSize);
            try (VhdImage img = VhdImage.open(f, OpenOptions.WRITE)) {
                for (int i = 0; i < 60; i++) {
                    int len = (1 + r.nextInt(16)) * 512;
                    long at = (long) r.nextInt((int) ((size - len) / 512)) * 512;
                    byte[] data = new byte[len];
                    r.nextBytes(data);
                    img.write(at, ByteBuffer.wrap(data));
                    System.arraycopy(data, 0, model, (int) at, len);
                }
            }
            byte[] file = Files.readAllBytes(f);
            try (VhdImage img = VhdImage.open(f, OpenOptions.READ)) {
                SparseImage s = (SparseImage) img;
                long alignment = SparseImage.dataAlignment(blockSize);
                int allocated = 0;
                for (int b = 0; b < s.blockCount(); b++) {
                    long sector = ByteBuffer.wrap(file, (int) (s.header().tableOffset() + 4L * b), 4).getInt() & 0xFFFF_FFFFL;
                    if (sector != 0xFFFF_FFFFL) {
                        allocated++;
                        assertEquals(0, (sector * 512 + s.header().bitmapBytes()) % alignment, "block " + b + " data alignment");
                    }
                }
                assertEquals(s.allocatedBlocks(), allocated);
            }
            try (VhdChain c = VhdChain.open(f)) {
                ByteBuffer all = ByteBuffer.allocate((int) size);
                c.read(0, all);
                assertArrayEquals(model, all.array(), "content");
            }
            // the footer signature appears only where footers belong: the copy at 0 and the end footer
            byte[] cookie = "conectix".getBytes(StandardCharsets.US_ASCII);
            int found = 0;
            for (int i = 0; i + cookie.length <= file.length; i += 512) {
                if (java.util.Arrays.equals(file, i, i + cookie.length, cookie, 0, cookie.length)) {
                    assertTrue(i == 0 || i == file.length - 512, "stale footer copy at " + i);
                    found++;
                }
            }
            assertEquals(2, found);
            assertTrue(VhdChecker.check(f, ChainOptions.forImage(f)).clean(), "checks clean");
        }
    }
}
