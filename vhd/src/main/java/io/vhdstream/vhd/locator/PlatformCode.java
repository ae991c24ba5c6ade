package io.vhdstream.vhd.locator;

/** Parent locator platform codes; kept as raw ints on disk, named here. */
public final class PlatformCode {
    public static final int NONE = 0;
    /** Absolute Windows path, UTF-16LE. */
    public static final int W2KU = 0x57326B75;
    /** Relative Windows path, UTF-16LE. */
    public static final int W2RU = 0x57327275;
    /** Deprecated Windows codes (ANSI paths). */
    public static final int WI2R = 0x57693272;
    public static final int WI2K = 0x5769326B;
    /** Mac OS X file:// URL, UTF-8. */
    public static final int MACX = 0x4D616358;
    /** Mac OS alias blob: not resolvable here. */
    public static final int MAC = 0x4D616320;

    private PlatformCode() {
    }

    public static boolean known(int code) {
        return code == NONE || code == W2KU || code == W2RU || code == WI2R || code == WI2K || code == MACX || code == MAC;
    }

    public static String name(int code) {
        if (code == NONE) {
            return "none";
        }
        StringBuilder sb = new StringBuilder(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            int c = (code >>> shift) & 0xFF;
            sb.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
        }
        return sb.toString();
    }
}
