package io.vhdstream.cli.util;

import java.util.Locale;

/**
 * Sizes as users type them: plain bytes, or a whole number with K, M, G or T (binary: 1K = 1024),
 * optionally written KiB, MiB, GiB, TiB; case does not matter. "1.5G", "10MB" and negatives are refused.
 */
public final class Sizes {
    private static final String UNITS = "KMGT";

    private Sizes() {
    }

    /** @throws IllegalArgumentException with a message fit for the user */
    public static long parse(String text) {
        String t = text == null ? "" : text.trim();
        int end = t.length();
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.endsWith("ib")) {
            end -= 2;
        }
        int shift = 0;
        if (end > 0) {
            int unit = UNITS.indexOf(Character.toUpperCase(t.charAt(end - 1)));
            if (unit >= 0) {
                shift = 10 * (unit + 1);
                end--;
            } else if (end != t.length()) {
                end = -1; // "iB" without a unit letter
            }
        }
        if (end <= 0 || end > 19) {
            throw invalid(text);
        }
        for (int i = 0; i < end; i++) {
            if (t.charAt(i) < '0' || t.charAt(i) > '9') {
                throw invalid(text);
            }
        }
        long n;
        try {
            n = Long.parseLong(t.substring(0, end));
        } catch (NumberFormatException e) {
            throw invalid(text);
        }
        if (shift > 0 && n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return n << shift;
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("'" + text + "' is not a size: give bytes, or a whole number with K, M, G or T"
                + " (binary: 1K = 1024), e.g. 4096, 64K, 10G");
    }

    /** "512 bytes", "4 MiB", "1.5 GiB": exact when whole, else one decimal. */
    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + (bytes == 1 ? " byte" : " bytes");
        }
        int unit = 0;
        long div = 1;
        while (unit < UNITS.length() && bytes >= div * 1024) {
            div *= 1024;
            unit++;
        }
        String suffix = " " + UNITS.charAt(unit - 1) + "iB";
        if (bytes % div == 0) {
            return (bytes / div) + suffix;
        }
        // one decimal, half up, as %.1f prints it (bytes / div is exact in a double), without java.util.Formatter
        long tenths = Math.round((double) bytes / div * 10);
        return tenths / 10 + "." + tenths % 10 + suffix;
    }

    /** "N bytes (human)" or just "N bytes" when small. */
    public static String withHuman(long bytes) {
        return bytes < 1024 ? human(bytes) : bytes + " bytes (" + human(bytes) + ")";
    }
}
