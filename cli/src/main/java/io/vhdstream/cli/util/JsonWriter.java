package io.vhdstream.cli.util;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A minimal streaming JSON writer for the CLI's {@code --json} output: compact, UTF-16 strings escaped per
 * RFC 8259 (control characters, quote, backslash, and unpaired surrogates, which UTF-8 cannot carry).
 * Hand-written so that no JSON library loads at start-up.
 */
public final class JsonWriter {
    private final StringBuilder sb = new StringBuilder(256);
    /** Per open container: has it got an element yet. */
    private final Deque<boolean[]> stack = new ArrayDeque<>();
    private boolean afterName;

    public JsonWriter beginObject() {
        separate();
        sb.append('{');
        stack.push(new boolean[1]);
        return this;
    }

    public JsonWriter endObject() {
        stack.pop();
        sb.append('}');
        return this;
    }

    public JsonWriter beginArray() {
        separate();
        sb.append('[');
        stack.push(new boolean[1]);
        return this;
    }

    public JsonWriter endArray() {
        stack.pop();
        sb.append(']');
        return this;
    }

    public JsonWriter name(String name) {
        separate();
        quote(sb, name);
        sb.append(':');
        afterName = true;
        return this;
    }

    public JsonWriter value(String s) {
        separate();
        if (s == null) {
            sb.append("null");
        } else {
            quote(sb, s);
        }
        return this;
    }

    public JsonWriter value(long n) {
        separate();
        sb.append(n);
        return this;
    }

    public JsonWriter value(boolean b) {
        separate();
        sb.append(b);
        return this;
    }

    public JsonWriter nullValue() {
        separate();
        sb.append("null");
        return this;
    }

    public JsonWriter field(String name, String s) {
        return name(name).value(s);
    }

    public JsonWriter field(String name, long n) {
        return name(name).value(n);
    }

    public JsonWriter field(String name, boolean b) {
        return name(name).value(b);
    }

    private void separate() {
        if (afterName) {
            afterName = false;
            return;
        }
        boolean[] top = stack.peek();
        if (top != null) {
            if (top[0]) {
                sb.append(',');
            }
            top[0] = true;
        }
    }

    @Override
    public String toString() {
        return sb.toString();
    }

    /** {@code s} as a JSON string literal. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2);
        quote(b, s);
        return b.toString();
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    boolean lone = Character.isHighSurrogate(c)
                            ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
                            : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
                    if (c < 0x20 || c == 0x7F || c == '\u2028' || c == '\u2029' || lone) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
