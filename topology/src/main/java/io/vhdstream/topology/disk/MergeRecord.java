package io.vhdstream.topology.disk;

import io.vhdstream.schemas.layerdir.LayerDirectoryLines;

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
public record MergeRecord(long decidedAt, int fromIndex, int toIndex) implements LayerDirectoryLines.MergeRange {
    public static final String FILE = LayerDirectoryLines.MERGED;

    public MergeRecord {
        new LayerDirectoryLines.MergeLine(decidedAt, fromIndex, toIndex); // the range rule
    }

    public String toLine() {
        return line().toLine();
    }

    /** This record as the shared line rules see it (its text, its range, whether its files are gone). */
    public LayerDirectoryLines.MergeLine line() {
        return new LayerDirectoryLines.MergeLine(decidedAt, fromIndex, toIndex);
    }

    /** Complete lines only, each range continuing the previous one: the shared rules of {@link LayerDirectoryLines}. */
    public static List<MergeRecord> readAll(Path file) throws IOException {
        List<LayerDirectoryLines.MergeLine> lines;
        try {
            lines = LayerDirectoryLines.MergeLine.parseAll(LayerDirectoryLines.completeLines(file));
        } catch (IllegalArgumentException e) {
            throw new LayerDirectoryException(file + ": " + e.getMessage(), e);
        }
        List<MergeRecord> out = new ArrayList<>();
        for (LayerDirectoryLines.MergeLine m : lines) {
            out.add(new MergeRecord(m.decidedAt(), m.fromIndex(), m.toIndex()));
        }
        return out;
    }
}
