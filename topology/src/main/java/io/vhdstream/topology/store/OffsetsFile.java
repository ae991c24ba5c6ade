package io.vhdstream.topology.store;

import io.vhdstream.topology.disk.FileOps;
import io.vhdstream.topology.disk.LayerDirectoryException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code <layers.dir>/.offsets/<topic>-<partition>}: one line, the input offset of the next command to apply
 * (Kafka's committed-offset convention): every command below it is durably in the layers. Replaced atomically.
 */
public final class OffsetsFile {
    private OffsetsFile() {
    }

    /** The stored offset, or null if there is no file. */
    public static Long read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        String s = Files.readString(file, StandardCharsets.UTF_8).trim();
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

    public static void write(Path file, long nextOffset) throws IOException {
        FileOps.atomicWrite(file, (nextOffset + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
