package io.vhdstream.schemas.layerdir;

import io.vhdstream.schemas.common.NameEncoding;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text rules of a disk directory's {@code state} file (docs/layer-directory.md), in one place for the topology
 * that writes it (DiskState) and the source connector that reads its tombstone: {@code key=value} lines, values
 * percent-encoded, {@code version=1}, each key once, unknown keys kept for the reader to ignore. The file is replaced
 * atomically and always ends with a newline, so text without one is torn, not a shorter state. Parsing is pure: a
 * broken rule is an {@link IllegalArgumentException} with the reason, which each side turns into its own error.
 */
public final class StateFile {
    public static final String NAME = "state";
    public static final int VERSION = 1;
    public static final String DELETED_OFFSET = "deletedOffset";
    public static final String DELETE_REASON = "deleteReason";
    public static final String DELETED_LAYERS = "deletedLayers";

    private StateFile() {
    }

    /** The text of {@code values} (in order, after {@code version}), each value encoded. */
    public static String format(Map<String, String> values) {
        StringBuilder b = new StringBuilder("version=" + VERSION + "\n");
        values.forEach((k, v) -> b.append(k).append('=').append(NameEncoding.encode(v)).append('\n'));
        return b.toString();
    }

    /** A list value ({@code deletedLayers}): each item encoded, joined by commas. */
    public static String list(List<String> items) {
        return String.join(",", items.stream().map(NameEncoding::encode).toList());
    }

    /** @throws IllegalArgumentException if the text breaks a rule above (the message says which) */
    public static Fields parse(String text) {
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException(text.isEmpty() ? "empty" : "torn: the last line has no newline");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("malformed line '" + line + "'");
            }
            String key = line.substring(0, eq);
            if (m.put(key, NameEncoding.decode(line.substring(eq + 1))) != null) {
                throw new IllegalArgumentException(key + " given twice");
            }
        }
        Fields f = new Fields(m);
        if (f.intValue("version") != VERSION) {
            throw new IllegalArgumentException("unsupported state version " + m.get("version"));
        }
        return f;
    }

    /** The decoded values of a parsed {@code state}, by key. */
    public record Fields(Map<String, String> values) {
        public Fields {
            values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }

        /** @throws IllegalArgumentException if the key is absent */
        public String require(String key) {
            String v = values.get(key);
            if (v == null) {
                throw new IllegalArgumentException("missing " + key);
            }
            return v;
        }

        /** @throws IllegalArgumentException if the key is absent or not a number */
        public long longValue(String key) {
            String v = require(key);
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("malformed number: " + key + "=" + v, e);
            }
        }

        public int intValue(String key) {
            long v = longValue(key);
            if (v != (int) v) {
                throw new IllegalArgumentException("malformed number: " + key + "=" + v + " is out of range");
            }
            return (int) v;
        }

        /** The DeleteDisk's command offset of a tombstone, -1 while the disk exists. */
        public long deletedOffset() {
            return values.containsKey(DELETED_OFFSET) ? longValue(DELETED_OFFSET) : -1;
        }

        public String deleteReason() {
            return values.get(DELETE_REASON);
        }

        /** @throws IllegalArgumentException if an item's encoding is malformed */
        public List<String> deletedLayers() {
            List<String> out = new ArrayList<>();
            String v = values.get(DELETED_LAYERS);
            if (v != null && !v.isEmpty()) {
                for (String s : v.split(",")) {
                    out.add(NameEncoding.decode(s));
                }
            }
            return out;
        }
    }
}
