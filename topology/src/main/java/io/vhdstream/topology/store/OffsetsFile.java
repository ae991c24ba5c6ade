package io.vhdstream.topology.store;

import io.vhdstream.topology.disk.FileOps;
import io.vhdstream.topology.disk.LayerDirectoryException;
import io.vhdstream.topology.disk.LayerMarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code <layers.dir>/.offsets/<topic>-<partition>}: a first line, the input offset of the next command to apply
 * (Kafka's committed-offset convention): every command below it is durably in the layers; then the {@link LayerMarks}
 * of that checkpoint, one line per open disk (none in files written before them). Replaced atomically.
 */
public final class OffsetsFile {
    private OffsetsFile() {
    }

    /** The stored offset, or null if there is no file. */
    public static Long read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        String s = Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("").trim();
        try {
            long v = Long.parseLong(s);
            if (v < 0) {
                throw new NumberFormatException("negative");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new LayerDirectoryException(file + ": not an offset: '" + s + "'", e);
        }
    }

    /** The checkpoint's layer marks; with no file, a checkpoint at offset 0 (the replay starts from the beginning). */
    public static LayerMarks readMarks(Path file) throws IOException {
        Long offset = read(file);
        if (offset == null) {
            return LayerMarks.at(0);   // no checkpoint yet: everything is replayed from the start
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        try {
            return LayerMarks.parse(offset, lines.subList(1, lines.size()));
        } catch (IllegalArgumentException e) {
            throw new LayerDirectoryException(file + ": " + e.getMessage(), e);
        }
    }

    public static void write(Path file, long nextOffset) throws IOException {
        write(file, nextOffset, LayerMarks.none());
    }

    public static void write(Path file, long nextOffset, LayerMarks marks) throws IOException {
        StringBuilder b = new StringBuilder().append(nextOffset).append('\n');
        marks.lines().forEach(l -> b.append(l).append('\n'));
        FileOps.atomicWrite(file, b.toString().getBytes(StandardCharsets.UTF_8));
    }
}
