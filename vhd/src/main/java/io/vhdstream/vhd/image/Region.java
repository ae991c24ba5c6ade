package io.vhdstream.vhd.image;

/** A byte range [start, end) of the image file that holds metadata, named for messages. */
public record Region(String name, long start, long end) {
    public boolean overlaps(long s, long e) {
        return s < end && start < e;
    }
}
