package io.vhdstream.vhd.image;

import io.vhdstream.vhd.footer.Footer;
import io.vhdstream.vhd.header.DynamicHeader;

import java.util.BitSet;

/**
 * Where a {@link SparseImage} puts the blocks that a sequence of writes allocates, worked out without writing:
 * the length a new sparse image's file reaches ({@code vhd measure}). It places each block as the image does
 * ({@link SparseImage#newBlockStart}), so the two cannot disagree.
 */
public final class BlockLayout {
    private final long blockSize;
    private final int bitmapBytes;
    private final BitSet allocated = new BitSet();
    /** Where the end footer is: the next block goes here or after (as {@link ImageStructure#nextFree}). */
    private long nextFree;

    /** A new image whose metadata (footer copy, header, BAT, locators) ends at {@code metadataEnd}. */
    public BlockLayout(long metadataEnd, long blockSize) {
        this.blockSize = blockSize;
        this.bitmapBytes = (int) DynamicHeader.bitmapBytes(blockSize);
        this.nextFree = metadataEnd;
    }

    /** Takes a write of {@code length} bytes at {@code offset}, split at block boundaries as the image splits it. */
    public void write(long offset, long length) {
        for (long pos = offset, end = offset + length; pos < end; ) {
            int block = (int) (pos / blockSize);
            long n = Math.min(blockSize - (pos - block * blockSize), end - pos);
            if (!allocated.get(block)) {
                allocated.set(block);
                nextFree = SparseImage.newBlockStart(nextFree, n, bitmapBytes, blockSize) + bitmapBytes + blockSize;
            }
            pos += n;
        }
    }

    /** The file's length: every block placed so far, then the end footer. */
    public long fileSize() {
        return nextFree + Footer.SIZE;
    }
}
