package io.vhdstream.cli.util;

/**
 * Makes strings from untrusted images safe to print: control characters (which could move the cursor or
 * recolour a terminal) become visible escapes.
 */
public final class Text {
    private Text() {
    }

    /** Escapes control characters as {@code \n}, {@code \t}, {@code \0} or {@code \xNN}/{@code \\uNNNN}. */
    public static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String esc = escape(c);
            if (esc != null && sb == null) {
                sb = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (sb != null) {
                if (esc != null) {
                    sb.append(esc);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? s : sb.toString();
    }

    /** {@link #printable} on a single line: line breaks and tabs become spaces. */
    public static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        return printable(s.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ').replace('\t', ' '));
    }

    private static String escape(char c) {
        switch (c) {
            case '\n': return "\\n";
            case '\r': return "\\r";
            case '\t': return "\\t";
            case '\0': return "\\0";
            default:
                if (c < 0x20 || c == 0x7F) {
                    return String.format("\\x%02x", (int) c);
                }
                if ((c >= 0x80 && c < 0xA0) || c == '\u2028' || c == '\u2029' || c == '\u202E' || c == '\u202D') {
                    return String.format("\\u%04x", (int) c);
                }
                return null;
        }
    }
}
