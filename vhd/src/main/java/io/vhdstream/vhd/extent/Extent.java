package io.vhdstream.vhd.extent;

/** A byte range [offset, offset+length) of the virtual disk. */
public record Extent(long offset, long length) {
    public long end() {
        return offset + length;
    }
}
