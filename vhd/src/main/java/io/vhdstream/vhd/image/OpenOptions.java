package io.vhdstream.vhd.image;

/**
 * How to open an image. {@code strict} refuses checksum mismatches (a lenient open still refuses anything
 * that would make reads wrong, such as a BAT entry inside metadata).
 */
public record OpenOptions(boolean writable, boolean strict) {
    public static final OpenOptions READ = new OpenOptions(false, true);
    public static final OpenOptions WRITE = new OpenOptions(true, true);
    public static final OpenOptions LENIENT_READ = new OpenOptions(false, false);
}
