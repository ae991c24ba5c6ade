package io.vhdstream.vhd.footer;

import java.util.Optional;

/** Footer disk type. Mapped by explicit code, never by ordinal: the field comes from untrusted files. */
public enum DiskType {
    FIXED(2), DYNAMIC(3), DIFFERENCING(4);

    private final int code;

    DiskType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public boolean sparse() {
        return this != FIXED;
    }

    public static Optional<DiskType> fromCode(long code) {
        for (DiskType t : values()) {
            if (t.code == code) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
