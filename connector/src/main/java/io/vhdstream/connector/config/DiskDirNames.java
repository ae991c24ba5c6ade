package io.vhdstream.connector.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Disk ids as directory names, the way docs/layer-directory.md defines them: {@code [A-Za-z0-9._-]} kept,
 * every other UTF-8 byte as {@code %XX}. A name that would be "." or ".." has its dots escaped too.
 */
public final class DiskDirNames {
    private DiskDirNames() {
    }

    public static String encode(String id) {
        byte[] b = id.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(b.length + 8);
        // A leading dot is escaped, as the topology does (docs/layer-directory.md): no name is '.', '..' or hidden.
        for (int i = 0; i < b.length; i++) {
            int c = b[i] & 0xFF;
            boolean keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
                    || (c == '.' && i > 0);
            if (keep) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return sb.toString();
    }

    /** @throws IllegalArgumentException if {@code name} has a malformed escape or is not UTF-8 */
    public static String decode(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '%') {
                if (i + 2 >= name.length()) {
                    throw new IllegalArgumentException("truncated escape in '" + name + "'");
                }
                int hi = Character.digit(name.charAt(i + 1), 16);
                int lo = Character.digit(name.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("bad escape in '" + name + "'");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c < 0x80) {
                out.write(c);
            } else {
                throw new IllegalArgumentException("non-ASCII character in '" + name + "'");
            }
        }
        byte[] b = out.toByteArray();
        var dec = StandardCharsets.UTF_8.newDecoder();
        try {
            return dec.decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("'" + name + "' does not decode to UTF-8");
        }
    }
}
