package io.vhdstream.vhd.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The virtual disk as a plain byte array: what every read through a chain must return. */
public final class DiskModel {
    private final byte[] data;

    public DiskModel(int size) {
        this.data = new byte[size];
    }

    public DiskModel(byte[] content) {
        this.data = content.clone();
    }

    public int size() {
        return data.length;
    }

    public byte[] bytes() {
        return data;
    }

    public DiskModel copy() {
        return new DiskModel(data);
    }

    public void write(long offset, byte[] src) {
        System.arraycopy(src, 0, data, (int) offset, src.length);
    }

    public void zero(long offset, long length) {
        Arrays.fill(data, (int) offset, (int) (offset + length), (byte) 0);
    }

    /** Null when equal; else the first differing byte and the differing sector ranges, for a failure message. */
    public static String difference(byte[] expected, byte[] actual) {
        if (expected.length != actual.length) {
            return "length " + actual.length + ", expected " + expected.length;
        }
        int first = Arrays.mismatch(expected, actual);
        if (first < 0) {
            return null;
        }
        List<String> ranges = new ArrayList<>();
        int sectors = 0;
        int runStart = -1;
        for (int s = 0; s * 512 < expected.length; s++) {
            int from = s * 512;
            int to = Math.min(expected.length, from + 512);
            boolean differs = !Arrays.equals(expected, from, to, actual, from, to);
            if (differs) {
                sectors++;
                if (runStart < 0) {
                    runStart = from;
                }
            }
            if ((!differs || to == expected.length) && runStart >= 0) {
                if (ranges.size() < 8) {
                    ranges.add("[" + runStart + ", " + (differs ? to : from) + ")");
                }
                runStart = -1;
            }
        }
        return String.format("first difference at byte %d (sector %d): expected 0x%02x, got 0x%02x; %d differing sectors %s",
                first, first / 512, expected[first] & 0xFF, actual[first] & 0xFF, sectors, ranges);
    }
}
