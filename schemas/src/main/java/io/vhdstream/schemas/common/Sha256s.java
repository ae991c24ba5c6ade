package io.vhdstream.schemas.common;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Checked construction of the Avro {@link Sha256} fixed type. The generated constructor accepts an
 * array of any length, and Avro's encoder would then truncate or fail late; this fails early.
 */
public final class Sha256s {

    private Sha256s() {
    }

    /** Copies a 32-byte digest. */
    public static Sha256 of(byte[] digest) {
        if (digest == null || digest.length != 32) {
            throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, got "
                    + (digest == null ? "null" : digest.length));
        }
        return new Sha256(Arrays.copyOf(digest, 32));
    }

    /** Lower-case hex, for logs and messages. */
    public static String hex(Sha256 digest) {
        return HexFormat.of().formatHex(digest.bytes());
    }
}
