package io.vhdstream.vhd.extent;

import java.util.ArrayList;
import java.util.List;

/** Collects ranges added in ascending order, merging those that touch. */
public final class ExtentBuilder {
    private final List<Extent> out = new ArrayList<>();
    private long start = -1;
    private long end;

    public void add(long offset, long length) {
        if (length <= 0) {
            return;
        }
        if (start >= 0 && offset == end) {
            end += length;
            return;
        }
        if (start >= 0) {
            out.add(new Extent(start, end - start));
        }
        start = offset;
        end = offset + length;
    }

    public List<Extent> build() {
        if (start >= 0) {
            out.add(new Extent(start, end - start));
            start = -1;
        }
        return out;
    }
}
