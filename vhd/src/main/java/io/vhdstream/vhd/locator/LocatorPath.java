package io.vhdstream.vhd.locator;

import java.nio.charset.StandardCharsets;

/** Decodes and encodes the path a locator's platform data holds, per platform code. */
public final class LocatorPath {
    private LocatorPath() {
    }

    /** @return the path text, or null when the platform's data is not a path we can use (Mac alias, unknown). */
    public static String decode(int platformCode, byte[] data) {
        String s;
        if (platformCode == PlatformCode.W2KU || platformCode == PlatformCode.W2RU) {
            s = new String(data, StandardCharsets.UTF_16LE);
        } else if (platformCode == PlatformCode.WI2K || platformCode == PlatformCode.WI2R) {
            s = new String(data, StandardCharsets.ISO_8859_1);
        } else if (platformCode == PlatformCode.MACX) {
            s = new String(data, StandardCharsets.UTF_8);
            if (s.startsWith("file://")) {
                s = s.substring("file://".length());
            }
        } else {
            return null;
        }
        int nul = s.indexOf('\0');
        return nul >= 0 ? s.substring(0, nul) : s;
    }

    public static byte[] encode(int platformCode, String path) {
        if (platformCode == PlatformCode.MACX) {
            return ("file://" + path).getBytes(StandardCharsets.UTF_8);
        }
        return path.getBytes(StandardCharsets.UTF_16LE);
    }

    /** The last path element, for either separator: locators hold Windows paths even when made on Linux. */
    public static String baseName(String path) {
        int cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(cut + 1);
    }

    /** True for "C:\..." or "\\server\..." paths that mean nothing on this machine. */
    public static boolean isWindowsAbsolute(String path) {
        return (path.length() >= 2 && path.charAt(1) == ':') || path.startsWith("\\\\");
    }
}
