package io.vhdstream.vhd.locator;

import io.vhdstream.vhd.io.Bytes;

/**
 * One 24-byte parent locator entry of the dynamic header.
 *
 * <pre>
 * off len field
 *   0   4 platform code (W2ku, W2ru, MacX, ...)
 *   4   4 platform data space (sectors per spec; bytes as written by Virtual PC, Hyper-V, blktap)
 *   8   4 platform data length (bytes)
 *  12   4 reserved
 *  16   8 platform data offset (bytes from file start)
 * </pre>
 */
public record ParentLocator(int platformCode, long dataSpace, long dataLength, int reserved, long dataOffset) {
    public static final int SIZE = 24;

    public static ParentLocator parse(byte[] b, int at) {
        return new ParentLocator(Bytes.i32(b, at), Bytes.u32(b, at + 4), Bytes.u32(b, at + 8),
                Bytes.i32(b, at + 12), Bytes.i64(b, at + 16));
    }

    public void serialize(byte[] b, int at) {
        Bytes.put32(b, at, platformCode);
        Bytes.put32(b, at + 4, dataSpace);
        Bytes.put32(b, at + 8, dataLength);
        Bytes.put32(b, at + 12, reserved);
        Bytes.put64(b, at + 16, dataOffset);
    }

    public boolean isEmpty() {
        return platformCode == PlatformCode.NONE;
    }

    /**
     * The reserved space in bytes. Values under 512 are taken as sectors and multiples of 512 as bytes, as
     * blktap does: that reads both the spec's unit and the one Windows actually writes.
     */
    public long dataSpaceBytes() {
        return dataSpace < 512 ? dataSpace * 512 : dataSpace;
    }

    /** The region the locator's data occupies in the file: its reserved space, at least its length. */
    public long regionLength() {
        return Math.max(dataSpaceBytes(), dataLength);
    }

    public String platformName() {
        return PlatformCode.name(platformCode);
    }
}
