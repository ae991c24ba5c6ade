package io.vhdstream.connector.offset;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The source connector's offset for one disk: how far the disk's chain has been emitted. One class owns
 * the keys; the task reads stored offsets once per disk, through {@link #fromMap}, and writes only
 * {@link #toMap} maps.
 *
 * <p>Source partition (one per disk) and offset, as the worker stores them:
 * <pre>
 * partition {"disk": "vm-042"}
 * offset    {"layer": "5b9c0c7e-2f7e-4a5e-9d43-0f1c2b3a4d5e", "index": 2, "chunk": 524288,
 *            "next": 1572864, "extent": 3, "complete": false}
 * </pre>
 * {@code layer} is the unique id of the layer being (or last) emitted, {@code index} its position in the
 * chain, {@code chunk} the chunk size its records are cut with (kept for the whole layer, so a restart with
 * another {@code chunk.size} still continues the same record sequence), {@code next} the byte offset where
 * the next record starts, {@code extent} the next record's extentIndex. {@code complete} is true once the
 * layer's EndOfLayer was emitted: every layer before it in chain order, and it, are done. No stored offset
 * means nothing of the disk was emitted. {@code base} (absent: 0) is the retention level the disk's base was
 * emitted at: the layers up to that index were merged into it (docs/layer-directory.md), so the consumer got
 * their content with the base and the next layer's parent is the base. {@code merged} (absent: 0) is the level
 * up to which merges were announced to the consumer after it got the layers ({@code LayersMerged}); the level
 * the consumer knows is the higher of the two ({@link #knownLevel}). {@code deleted} (absent: false) says the consumer
 * was told that the disk was deleted at the source ({@code DiskDeleted}): nothing more of it is sent.
 */
public record LayerOffset(UUID layer, int layerIndex, int chunkSize, long nextOffset, long nextExtent, boolean complete,
                          int base, int merged, boolean deleted) {
    public static final String PARTITION_DISK = "disk";
    public static final String LAYER = "layer";
    public static final String INDEX = "index";
    public static final String CHUNK = "chunk";
    public static final String NEXT = "next";
    public static final String EXTENT = "extent";
    public static final String COMPLETE = "complete";
    public static final String BASE = "base";
    public static final String MERGED = "merged";
    public static final String DELETED = "deleted";

    public LayerOffset {
        Objects.requireNonNull(layer, "layer");
        if (layerIndex < 0 || chunkSize <= 0 || nextOffset < 0 || nextExtent < 0 || base < 0 || merged < 0) {
            throw new IllegalArgumentException("invalid offset " + layer + " index " + layerIndex + " chunk " + chunkSize
                    + " next " + nextOffset + " extent " + nextExtent);
        }
    }

    /** The offset of a layer's StartOfLayer: nothing of it emitted yet. */
    public static LayerOffset started(UUID layer, int layerIndex, int chunkSize) {
        return new LayerOffset(layer, layerIndex, chunkSize, 0, 0, false, 0, 0, false);
    }

    /** The same offset, for a disk whose base was emitted at retention level {@code level}. */
    public LayerOffset withBase(int level) {
        return new LayerOffset(layer, layerIndex, chunkSize, nextOffset, nextExtent, complete, level, merged, deleted);
    }

    /** The same offset, after the consumer was told that layers up to {@code level} were merged into the base. */
    public LayerOffset withMerged(int level) {
        return new LayerOffset(layer, layerIndex, chunkSize, nextOffset, nextExtent, complete, base, level, deleted);
    }

    /** The same offset, after the consumer was told that the disk was deleted at the source ({@code DiskDeleted}). */
    public LayerOffset withDeleted() {
        return new LayerOffset(layer, layerIndex, chunkSize, nextOffset, nextExtent, complete, base, merged, true);
    }

    /** The retention level the consumer's copy of the base is at: emitted at it, or told of merges up to it. */
    public int knownLevel() {
        return Math.max(base, merged);
    }

    /** The offset after a record that ends at {@code end}. */
    public LayerOffset after(long end) {
        return new LayerOffset(layer, layerIndex, chunkSize, end, nextExtent + 1, false, base, merged, deleted);
    }

    /** The offset of the layer's EndOfLayer. */
    public LayerOffset completed() {
        return new LayerOffset(layer, layerIndex, chunkSize, nextOffset, nextExtent, true, base, merged, deleted);
    }

    public static Map<String, String> partition(String diskId) {
        return Map.of(PARTITION_DISK, diskId);
    }

    /** @throws IllegalArgumentException if the map is not one of our partitions */
    public static String diskIdOf(Map<String, ?> partition) {
        Object d = partition == null ? null : partition.get(PARTITION_DISK);
        if (!(d instanceof String s) || s.isEmpty() || partition.size() != 1) {
            throw new IllegalArgumentException("source partition " + partition + " is not {\"" + PARTITION_DISK + "\": <disk id>}");
        }
        return s;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new HashMap<>();
        m.put(LAYER, layer.toString());
        m.put(INDEX, layerIndex);
        m.put(CHUNK, chunkSize);
        m.put(NEXT, nextOffset);
        m.put(EXTENT, nextExtent);
        m.put(COMPLETE, complete);
        if (base > 0) {
            m.put(BASE, base);
        }
        if (merged > 0) {
            m.put(MERGED, merged);
        }
        if (deleted) {
            m.put(DELETED, true);
        }
        return m;
    }

    /**
     * Reads a stored offset. Numbers may come back as any integral type (the worker stores offsets as
     * schemaless JSON).
     *
     * @return null for a null map (nothing stored)
     * @throws IllegalArgumentException if a key is missing or has the wrong type
     */
    public static LayerOffset fromMap(Map<String, ?> m) {
        if (m == null) {
            return null;
        }
        UUID layer;
        try {
            layer = UUID.fromString(string(m, LAYER));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("offset " + m + ": '" + LAYER + "' is not a UUID");
        }
        Object c = m.get(COMPLETE);
        if (!(c instanceof Boolean complete)) {
            throw new IllegalArgumentException("offset " + m + ": '" + COMPLETE + "' is not a boolean");
        }
        long index = number(m, INDEX);
        long chunk = number(m, CHUNK);
        if (index > Integer.MAX_VALUE || chunk > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + m + ": index or chunk out of range");
        }
        long base = m.get(BASE) == null ? 0 : number(m, BASE);
        long merged = m.get(MERGED) == null ? 0 : number(m, MERGED);
        if (base > Integer.MAX_VALUE || merged > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + m + ": base or merged out of range");
        }
        Object deleted = m.get(DELETED);
        if (deleted != null && !(deleted instanceof Boolean)) {
            throw new IllegalArgumentException("offset " + m + ": '" + DELETED + "' is not a boolean");
        }
        return new LayerOffset(layer, (int) index, (int) chunk, number(m, NEXT), number(m, EXTENT), complete, (int) base,
                (int) merged, Boolean.TRUE.equals(deleted));
    }

    private static String string(Map<String, ?> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("offset " + m + ": '" + key + "' is missing or not a string");
        }
        return s;
    }

    private static long number(Map<String, ?> m, String key) {
        Object v = m.get(key);
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            long n = ((Number) v).longValue();
            if (n < 0) {
                throw new IllegalArgumentException("offset " + m + ": '" + key + "' is negative");
            }
            return n;
        }
        throw new IllegalArgumentException("offset " + m + ": '" + key + "' is missing or not an integer");
    }
}
