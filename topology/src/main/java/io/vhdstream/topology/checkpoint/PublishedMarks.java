package io.vhdstream.topology.checkpoint;

import io.vhdstream.topology.disk.FileOps;
import io.vhdstream.topology.disk.LayerDirectoryException;
import io.vhdstream.topology.disk.LayerNames;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code <layers.dir>/.offsets/<topic>-<partition>.published}: per disk of the partition, the base version whose
 * checkpoint was last handed to Kafka Streams in full ({@code through}: the input offset the base reflects) and the
 * next input offset the task had to process when it did ({@code before}). That transaction is known to have
 * committed once the group's committed offset is past {@code before}: until then, and for a disk without a line,
 * the next start publishes the whole base again (a publication cut short leaves chunks of the base unpublished,
 * which later publications of only the chunks a merge touched would not repair). Lines:
 * {@code <encoded disk id> <through> <before>}; replaced atomically; a lost file only costs a republication.
 */
public final class PublishedMarks {
    /** A disk's last complete publication; {@code before} -1: it came from the checkpoint topic itself (a load). */
    public record Mark(long through, long before) {
        /** The base version {@code base} is in the topic for good, given the group's committed offset. */
        public boolean covers(long base, Long groupCommitted) {
            return through >= base && (before < 0 || groupCommitted != null && groupCommitted > before);
        }
    }

    private final Path file;
    private final Map<String, Mark> marks = new TreeMap<>();

    private PublishedMarks(Path file) {
        this.file = file;
    }

    /** The marks of {@code topic}-{@code partition} under {@code layersDir} (none if there is no file). */
    public static PublishedMarks read(Path layersDir, String topic, int partition) throws IOException {
        Path file = layersDir.resolve(LayerNames.OFFSETS_DIR).resolve(LayerNames.offsetsFile(topic, partition) + ".published");
        PublishedMarks m = new PublishedMarks(file);
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.trim().split(" ");
                if (line.isBlank()) {
                    continue;
                }
                try {
                    if (f.length != 3) {
                        throw new NumberFormatException(f.length + " fields");
                    }
                    m.marks.put(LayerNames.decode(f[0]), new Mark(Long.parseLong(f[1]), Long.parseLong(f[2])));
                } catch (RuntimeException e) {
                    throw new LayerDirectoryException(file + ": not a publication mark: '" + line + "'", e);
                }
            }
        }
        return m;
    }

    public Mark get(String diskId) {
        return marks.get(diskId);
    }

    public void put(String diskId, long through, long before) throws IOException {
        marks.put(diskId, new Mark(through, before));
        write();
    }

    public void remove(String diskId) throws IOException {
        if (marks.remove(diskId) != null) {
            write();
        }
    }

    private void write() throws IOException {
        StringBuilder b = new StringBuilder();
        marks.forEach((id, m) -> b.append(LayerNames.encode(id)).append(' ').append(m.through()).append(' ')
                .append(m.before()).append('\n'));
        FileOps.atomicWrite(file, b.toString().getBytes(StandardCharsets.UTF_8));
    }
}
