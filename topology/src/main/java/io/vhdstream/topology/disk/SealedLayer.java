package io.vhdstream.topology.disk;

import io.vhdstream.schemas.layerdir.LayerDirectoryLines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One line of a disk's {@code sealed} file: everything a {@code LayerSealed} event says about the layer, so
 * the event can be re-emitted identically on replay (and after the layer files are deleted) without
 * re-reading the layer. The first four fields are positional (the contract in docs/layer-directory.md), the
 * rest {@code key=value} with percent-encoded values:
 *
 * <pre>
 * 1 0001@s2.vhd s2 5120 from=2300 at=1732363200000 id=6f1c...-... parent=0a9b...-... sectors=2048 size=1100288 sha256=9f86...08 label=nightly%20run
 * </pre>
 *
 * {@code label} is absent when the Snapshot had none, {@code parent} for the base layer.
 *
 * @param sealOffset  input offset of the Snapshot command that sealed the layer
 * @param fromOffset  first input offset the layer covers (the CreateDisk, or the previous seal offset + 1)
 * @param sealedAt    timestamp (ms) of the Snapshot record: the next layer's footer time
 */
public record SealedLayer(int layerIndex, String fileName, String snapshotId, long sealOffset, long fromOffset,
                          long sealedAt, UUID layerUniqueId, UUID parentUniqueId, long presentSectors, long fileSize,
                          byte[] contentSha256, String label) {

    public String toLine() {
        StringBuilder b = new StringBuilder();
        b.append(layerIndex).append(' ').append(fileName).append(' ').append(LayerNames.encode(snapshotId)).append(' ')
                .append(sealOffset);
        b.append(" from=").append(fromOffset);
        b.append(" at=").append(sealedAt);
        b.append(" id=").append(layerUniqueId);
        if (parentUniqueId != null) {
            b.append(" parent=").append(parentUniqueId);
        }
        b.append(" sectors=").append(presentSectors);
        b.append(" size=").append(fileSize);
        b.append(" sha256=").append(HexFormat.of().formatHex(contentSha256));
        if (label != null) {
            b.append(" label=").append(LayerNames.encode(label));
        }
        return b.append('\n').toString();
    }

    public static SealedLayer parse(String line, Path where) throws LayerDirectoryException {
        LayerDirectoryLines.SealedLine l;
        try {
            l = LayerDirectoryLines.SealedLine.parse(line);
        } catch (IllegalArgumentException e) {
            throw new LayerDirectoryException(where + ": malformed sealed line: " + e.getMessage(), e);
        }
        if (l.sealOffset() < 0) {
            throw new LayerDirectoryException(where + ": malformed sealed line '" + line + "'");
        }
        Map<String, String> kv = l.fields();
        try {
            String parent = kv.get("parent");
            String label = kv.get("label");
            return new SealedLayer(l.layerIndex(), l.fileName(), LayerNames.decode(l.snapshotField()), l.sealOffset(),
                    Long.parseLong(need(kv, "from", where)), Long.parseLong(need(kv, "at", where)),
                    UUID.fromString(need(kv, "id", where)), parent == null ? null : UUID.fromString(parent),
                    Long.parseLong(need(kv, "sectors", where)), Long.parseLong(need(kv, "size", where)),
                    HexFormat.of().parseHex(need(kv, "sha256", where)), label == null ? null : LayerNames.decode(label));
        } catch (IllegalArgumentException e) {
            throw new LayerDirectoryException(where + ": malformed sealed line '" + line.trim() + "': " + e.getMessage(), e);
        }
    }

    /**
     * Reads a {@code sealed} file without changing it: complete lines only (a last line without its newline is
     * an append in progress, or torn by a crash, and does not count). Safe for readers of a live directory.
     */
    public static List<SealedLayer> readAll(Path file) throws IOException {
        List<SealedLayer> out = new ArrayList<>();
        for (String line : LayerDirectoryLines.completeLines(file)) {
            SealedLayer s = parse(line, file);
            if (s.layerIndex() != out.size()) {
                throw new LayerDirectoryException(file + ": layer " + s.layerIndex() + " listed where layer "
                        + out.size() + " was expected");
            }
            out.add(s);
        }
        return out;
    }

    /**
     * For the directory's owner only: cuts a torn last line (a crash while sealing) off the file, so the next
     * append starts on a line of its own. The layer then counts as not sealed, and its Snapshot is applied again.
     */
    static void cutTornTail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        byte[] b = Files.readAllBytes(file);
        int complete = b.length;
        while (complete > 0 && b[complete - 1] != '\n') {
            complete--;
        }
        if (complete < b.length) {
            FileOps.atomicWrite(file, java.util.Arrays.copyOf(b, complete));
        }
    }

    private static String need(Map<String, String> kv, String key, Path where) throws LayerDirectoryException {
        String v = kv.get(key);
        if (v == null) {
            throw new LayerDirectoryException(where + ": sealed line lacks " + key);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SealedLayer s && toLine().equals(s.toLine());
    }

    @Override
    public int hashCode() {
        return toLine().hashCode();
    }

    @Override
    public String toString() {
        return toLine().trim();
    }
}
