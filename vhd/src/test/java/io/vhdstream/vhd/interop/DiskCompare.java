package io.vhdstream.vhd.interop;

import io.vhdstream.vhd.chain.VhdChain;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Whole-disk comparisons with failure messages that say where the disks differ (first byte, differing
 * sector ranges), instead of dumping arrays.
 */
public final class DiskCompare {
    private static final int CHUNK = 4 << 20;
    private static final int SECTOR = 512;

    private DiskCompare() {
    }

    /** The whole virtual disk as read through the chain. */
    public static byte[] readAll(VhdChain chain) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(chain.virtualSize()));
        chain.read(0, b);
        return b.array();
    }

    public static void assertSameBytes(String what, byte[] expected, byte[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": expected " + expected.length + " bytes, got " + actual.length);
        }
        String diff = difference(expected, actual, 0, expected.length, 0);
        if (diff != null) {
            throw new AssertionError(what + ": " + diff);
        }
    }

    /** Asserts the chain's bytes [0, length) equal the raw file's bytes [0, length), in chunks. */
    public static void assertChainMatchesRaw(String what, VhdChain chain, Path raw, long length) throws IOException {
        try (FileChannel in = FileChannel.open(raw, StandardOpenOption.READ)) {
            if (in.size() < length) {
                throw new AssertionError(what + ": " + raw + " has " + in.size() + " bytes, fewer than the " + length + " compared");
            }
            ByteBuffer ours = ByteBuffer.allocate(CHUNK);
            ByteBuffer theirs = ByteBuffer.allocate(CHUNK);
            for (long pos = 0; pos < length; pos += CHUNK) {
                int n = (int) Math.min(CHUNK, length - pos);
                ours.clear().limit(n);
                chain.read(pos, ours);
                theirs.clear().limit(n);
                while (theirs.hasRemaining()) {
                    if (in.read(theirs, pos + theirs.position()) < 0) {
                        throw new AssertionError(what + ": " + raw + " ended early at " + (pos + theirs.position()));
                    }
                }
                String diff = difference(theirs.array(), ours.array(), 0, n, pos);
                if (diff != null) {
                    throw new AssertionError(what + " (expected = " + raw.getFileName() + ", actual = our chain read): " + diff);
                }
            }
        }
    }

    /** Null when equal; else where the first difference is and which sectors differ (first few ranges). */
    static String difference(byte[] expected, byte[] actual, int from, int len, long base) {
        int first = Arrays.mismatch(expected, from, from + len, actual, from, from + len);
        if (first < 0) {
            return null;
        }
        StringBuilder ranges = new StringBuilder();
        int shown = 0;
        long sectors = 0;
        int s = (from + first) / SECTOR * SECTOR;
        int end = from + len;
        while (s < end) {
            int e = Math.min(s + SECTOR, end);
            if (Arrays.equals(expected, s, e, actual, s, e)) {
                s = e;
                continue;
            }
            int runStart = s;
            while (s < end && !Arrays.equals(expected, s, Math.min(s + SECTOR, end), actual, s, Math.min(s + SECTOR, end))) {
                s = Math.min(s + SECTOR, end);
                sectors++;
            }
            if (shown++ < 8) {
                ranges.append(String.format(" [%d, %d)", base + runStart, base + s));
            }
        }
        int at = from + first;
        return String.format("first difference at byte %d (sector %d): expected 0x%02x, got 0x%02x; %d differing sectors, in byte ranges%s%s",
                base + at, (base + at) / SECTOR, expected[at] & 0xFF, actual[at] & 0xFF, sectors, ranges,
                shown > 8 ? " ..." : "");
    }
}
