package io.vhdstream.topology.disk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The length of each open disk's active layer at a checkpoint, kept beside the checkpoint's input offset (the store's
 * {@code .offsets} file). After a power loss a layer may hold blocks allocated after the checkpoint whose BAT entries
 * survived while earlier ones' did not (they sit in different BAT sectors); cut back to its mark before the replay,
 * the layer re-allocates every block where the first run did, so the replay converges to the same bytes.
 * An active layer whose first write comes at or after the checkpoint's offset had no block then: it is cut to none.
 * Every disk that may be written before the next checkpoint has a mark (loaded ones, ones loaded from the checkpoint
 * topic, evicted ones, an active layer not made yet as length 0); a disk without one (an {@code .offsets} written
 * before the marks) gets the tail cut only.
 */
public final class LayerMarks {
    /** The active layer's file name and length at the checkpoint. */
    public record Mark(String layer, long length) {
    }

    private final long offset;
    private final Map<String, Mark> marks;

    private LayerMarks(long offset, Map<String, Mark> marks) {
        this.offset = offset;
        this.marks = marks;
    }

    /** No checkpoint known: only the tail cut. */
    public static LayerMarks none() {
        return at(-1);
    }

    /** A checkpoint at input offset {@code offset} (the next command to apply) that kept no marks. */
    public static LayerMarks at(long offset) {
        return new LayerMarks(offset, new HashMap<>());
    }

    /**
     * The marks of a directory just loaded from the checkpoint topic, whose replay starts at {@code offset}: each loaded
     * disk's active layer as the load left it.
     */
    public static LayerMarks ofLoadedDisks(long offset, Path layersDir, Collection<String> diskIds) throws IOException {
        // Without a mark a disk not written before the next checkpoint would get only the tail cut after it, while
        // its active layer (made after the load) may hold blocks whose BAT entries a power loss kept out of order.
        LayerMarks m = at(offset);
        for (String id : diskIds) {
            Path dir = layersDir.resolve(LayerNames.diskDir(id));
            Path active = dir.resolve(LayerNames.activeFile(SealedLayer.readAll(dir.resolve(LayerNames.SEALED)).size()));
            m.put(id, active.getFileName().toString(), Files.exists(active) ? Files.size(active) : 0);
        }
        return m;
    }

    /** The marks of the checkpoint at {@code offset}: lines {@code <encoded disk id> <layer file> <length>}, as {@link #lines} writes them. */
    public static LayerMarks parse(long offset, List<String> lines) {
        Map<String, Mark> m = new HashMap<>();
        for (String line : lines) {
            String[] f = line.trim().split(" ");
            if (f.length != 3) {
                throw new IllegalArgumentException("not a layer mark: '" + line + "'");
            }
            long length = Long.parseLong(f[2]);
            if (length < 0) {
                throw new IllegalArgumentException("negative length in '" + line + "'");
            }
            m.put(LayerNames.decode(f[0]), new Mark(f[1], length));
        }
        return new LayerMarks(offset, m);
    }

    /** The checkpoint's input offset, -1 if unknown. */
    long offset() {
        return offset;
    }

    public List<String> lines() {
        List<String> out = new ArrayList<>();
        new TreeMap<>(marks).forEach((id, m) -> out.add(LayerNames.encode(id) + " " + m.layer() + " " + m.length()));
        return out;
    }

    void put(String diskId, String layer, long length) {
        marks.put(diskId, new Mark(layer, length));
    }

    /** The disk's mark, removed: it applies to the first load of the disk after the checkpoint only. */
    Mark take(String diskId) {
        return marks.remove(diskId);
    }

    /** The marks not taken yet, with no offset (a new checkpoint carries them for disks not loaded since). */
    LayerMarks untaken() {
        return new LayerMarks(-1, new HashMap<>(marks));
    }

    public boolean isEmpty() {
        return marks.isEmpty();
    }
}
