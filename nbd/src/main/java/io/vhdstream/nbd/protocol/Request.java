package io.vhdstream.nbd.protocol;

/** One transmission-phase request header (the payload of a WRITE follows it on the wire). */
public record Request(int flags, int type, long cookie, long offset, long length) {
    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** The range's end, or -1 when offset + length overflows. */
    public long end() {
        long e = offset + length;
        return offset < 0 || e < offset ? -1 : e;
    }
}
