package io.vhdstream.schemas.common;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * The percent-encoding of the layer directory (docs/layer-directory.md), shared by the topology that writes
 * layer directories and the connectors that read them and write replicas: {@code [A-Za-z0-9._-]} kept, every
 * other UTF-8 byte as {@code %XX} (upper-case hex). One implementation, so writer and readers cannot drift.
 */
public final class NameEncoding {
    /** Longest disk id, in UTF-8 bytes (docs/layer-directory.md). */
    public static final int MAX_DISK_ID_BYTES = 200;
    /** Longest file or directory name most file systems accept. */
    public static final int MAX_NAME_BYTES = 255;

    private NameEncoding() {
    }

    /** Why a disk id cannot name a layer (or replica) directory, or null if it can. */
    public static String diskIdProblem(String diskId) {
        if (diskId == null || diskId.isEmpty()) {
            return "the disk id is empty";
        }
        int bytes = diskId.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_DISK_ID_BYTES) {
            return "the disk id has " + bytes + " bytes, more than " + MAX_DISK_ID_BYTES;
        }
        int nameBytes = diskDir(diskId).length();
        if (nameBytes > MAX_NAME_BYTES) {
            return "the disk id's directory name (percent-encoded) would have " + nameBytes + " bytes, more than "
                    + MAX_NAME_BYTES;
        }
        return null;
    }

    public static String encode(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder(bytes.length + 8);
        for (byte x : bytes) {
            int c = x & 0xFF;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return b.toString();
    }

    /** Cuts an encoded string to at most {@code max} characters without splitting a %XX escape. */
    public static String cut(String encoded, int max) {
        if (encoded.length() <= max) {
            return encoded;
        }
        int end = max;
        int pct = encoded.lastIndexOf('%', end - 1);
        if (pct >= 0 && pct > end - 3) {
            end = pct;
        }
        return encoded.substring(0, end);
    }

    /**
     * The directory name of a disk: its id encoded, with a leading dot escaped too ({@code %2E}) so that no
     * disk directory is {@code .}, {@code ..}, hidden, or the topology's {@code .offsets}.
     */
    public static String diskDir(String diskId) {
        String e = encode(diskId);
        return e.startsWith(".") ? "%2E" + e.substring(1) : e;
    }

    /**
     * Inverse of {@link #encode} and {@link #diskDir}.
     *
     * @throws IllegalArgumentException on a malformed escape, a raw non-ASCII character, or bytes that are not
     *                                  UTF-8: names on disk are untrusted, and none of these is ever written
     */
    public static String decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new IllegalArgumentException("truncated escape in '" + s + "'");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("bad escape in '" + s + "'");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c < 0x80) {
                out.write(c);
            } else {
                throw new IllegalArgumentException("non-ASCII character in '" + s + "'");
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("'" + s + "' does not decode to UTF-8");
        }
    }
}
