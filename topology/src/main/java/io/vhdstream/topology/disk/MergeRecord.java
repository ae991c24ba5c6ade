package io.vhdstream.topology.disk;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of a disk's {@code merged} file: the seal at input offset {@code decidedAt} made the base hold layer
 * {@code toIndex}'s snapshot, by merging layers {@code fromIndex..toIndex} into it. Appended and fsynced before
 * the merge touches any file (it is the merge's journal: a merge whose layer files are still there is redone
 * on load), and kept afterwards so that a replayed Snapshot reports the same merge again.
 *
 * <pre>
 * 5120 3 4
 * </pre>
 */
public record MergeRecord(long decidedAt, int fromIndex, int toIndex) {
    public static final String FILE = "merged";

    public MergeRecord {
        if (fromIndex < 1 || toIndex < fromIndex) {
            throw new IllegalArgumentException("bad merge range " + fromIndex + ".." + toIndex);
        }
    }

    public String toLine() {
        return decidedAt + " " + fromIndex + " " + toIndex + "\n";
    }

    /** Complete lines only, like {@link SealedLayer#readAll}; each range must continue the previous one. */
    public static List<MergeRecord> readAll(Path file) throws IOException {
        List<MergeRecord> out = new ArrayList<>();
        int level = 0;
        for (String line : SealedLayer.completeLines(file)) {
            String[] f = line.trim().split(" ");
            MergeRecord m;
            try {
                m = new MergeRecord(Long.parseLong(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]));
            } catch (RuntimeException e) {
                throw new LayerDirectoryException(file + ": malformed merge line '" + line + "'", e);
            }
            if (m.fromIndex() != level + 1) {
                throw new LayerDirectoryException(file + ": merge of layers " + m.fromIndex() + ".." + m.toIndex()
                        + " does not follow a base holding layer " + level);
            }
            level = m.toIndex();
            out.add(m);
        }
        return out;
    }
}
