package io.vhdstream.schemas.layerdir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The line rules of a layer directory's append-only files ({@code sealed}, {@code merged}; docs/layer-directory.md),
 * in one place for the topology that writes them and the connector that reads them while they grow. Parsing is pure:
 * a line that breaks a rule is an {@link IllegalArgumentException} with the reason, which each side turns into its
 * own error (the topology's LayerDirectoryException, the source connector's BROKEN_CHAIN).
 */
public final class LayerDirectoryLines {
    public static final String SEALED = "sealed";
    public static final String MERGED = "merged";

    private LayerDirectoryLines() {
    }

    /**
     * One {@code sealed} line: {@code <layerIndex> <fileName> [<snapshotId percent-encoded> [<sealInputOffset>
     * [key=value ...]]]}, fields separated by spaces. The file name must name a file of the directory itself.
     *
     * @param snapshotField the snapshot id as written (percent-encoded; old layouts may hold it raw), null if absent
     * @param sealOffset    the seal's input offset, -1 if absent (directories of the old layout)
     * @param fields        the {@code key=value} fields in order, values as written (percent-encoded); unknown keys are
     *                      kept, for the reader to ignore
     */
    public record SealedLine(int layerIndex, String fileName, String snapshotField, long sealOffset, Map<String, String> fields) {
        public SealedLine {
            fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }

        /** @throws IllegalArgumentException if the line breaks a rule above (the message says which) */
        public static SealedLine parse(String line) {
            String[] f = line.trim().split(" +");
            if (f.length < 2) {
                throw new IllegalArgumentException("'" + line.trim() + "' is not '<layerIndex> <fileName> ...'");
            }
            int index;
            try {
                index = Integer.parseInt(f[0]);
            } catch (NumberFormatException e) {
                index = -1;
            }
            if (index < 0) {
                throw new IllegalArgumentException("'" + line.trim() + "' does not start with a layer index");
            }
            String file = f[1];
            if (file.contains("/") || file.contains("\\") || file.startsWith(".")) {
                throw new IllegalArgumentException("'" + line.trim() + "' names " + file + ", not a file of the directory");
            }
            long sealOffset = -1;
            if (f.length > 3) {
                try {
                    sealOffset = Long.parseLong(f[3]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + line.trim() + "': seal offset " + f[3] + " is not a number");
                }
            }
            Map<String, String> kv = new LinkedHashMap<>();
            for (int i = 4; i < f.length; i++) {
                int eq = f[i].indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("'" + line.trim() + "': field '" + f[i] + "' is not key=value");
                }
                kv.put(f[i].substring(0, eq), f[i].substring(eq + 1));
            }
            return new SealedLine(index, file, f.length > 2 ? f[2] : null, sealOffset, kv);
        }

        /** A {@code key=value} field's value as written, or null. */
        public String field(String key) {
            return fields.get(key);
        }
    }

    /**
     * A merge as its readers see it (this line, or the topology's record of it), so that the base level has one rule,
     * {@link MergeLine#level}, for both.
     */
    public interface MergeRange {
        /** The layer whose snapshot the base holds once the merge is done. */
        int toIndex();
    }

    /**
     * One {@code merged} line, {@code <decidingSealOffset> <fromLayerIndex> <toLayerIndex>}: layers from..to were
     * merged into {@code base.vhd}.
     */
    public record MergeLine(long decidedAt, int fromIndex, int toIndex) implements MergeRange {
        public MergeLine {
            if (fromIndex < 1 || toIndex < fromIndex) {
                throw new IllegalArgumentException("bad merge range " + fromIndex + ".." + toIndex);
            }
        }

        /** @throws IllegalArgumentException if the line is not three numbers of a valid range */
        public static MergeLine parse(String line) {
            String[] f = line.trim().split(" +");
            try {
                return new MergeLine(Long.parseLong(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("'" + line.trim() + "' is not '<offset> <fromLayerIndex> <toLayerIndex>'", e);
            }
        }

        public String toLine() {
            return decidedAt + " " + fromIndex + " " + toIndex + "\n";
        }

        /** True for a layer of the range: its file is deleted once the merge is done (until then, the merge is unfinished). */
        public boolean covers(int layerIndex) {
            return layerIndex >= fromIndex && layerIndex <= toIndex;
        }

        /**
         * True while a layer file of the range is still in {@code dir} ({@code NNNN*.vhd}, NNNN covered): the merge
         * deletes each once the base holds it, so the merge is unfinished. The other sign, the vhd engine's coalescing
         * marker on {@code base.vhd}, is the caller's to check (these rules know no engine).
         */
        public boolean filesLeftIn(Path dir) throws IOException {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "[0-9][0-9][0-9][0-9]*.vhd")) {
                for (Path p : ds) {
                    if (covers(Integer.parseInt(p.getFileName().toString().substring(0, 4)))) {
                        return true;
                    }
                }
            }
            return false;
        }

        /**
         * The lines of a {@code merged} file, each range continuing the one before (the first from layer 1).
         *
         * @throws IllegalArgumentException at the first line that is malformed or does not continue
         */
        public static List<MergeLine> parseAll(List<String> lines) {
            List<MergeLine> out = new ArrayList<>();
            int level = 0;
            for (String line : lines) {
                MergeLine m = parse(line);
                if (m.fromIndex() != level + 1) {
                    throw new IllegalArgumentException("merge of layers " + m.fromIndex() + ".." + m.toIndex()
                            + " does not follow a base holding layer " + level);
                }
                level = m.toIndex();
                out.add(m);
            }
            return out;
        }

        /** The base level the merges leave: the last one's toIndex, 0 without merges. */
        public static int level(List<? extends MergeRange> merges) {
            return merges.isEmpty() ? 0 : merges.get(merges.size() - 1).toIndex();
        }
    }

    /**
     * The non-blank complete lines of an append-only file's text: a last line without its newline is an append in
     * progress, or torn by a crash, and does not count.
     */
    public static List<String> completeLines(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
            if (!line.isBlank()) {
                out.add(line);
            }
        }
        return out;
    }

    /** {@link #completeLines(String)} of a file; none if it does not exist. */
    public static List<String> completeLines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new ArrayList<>();
        }
        return completeLines(Files.readString(file, StandardCharsets.UTF_8));
    }
}
