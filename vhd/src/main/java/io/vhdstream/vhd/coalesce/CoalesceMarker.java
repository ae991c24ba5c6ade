package io.vhdstream.vhd.coalesce;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file beside a parent ({@code .NAME.coalescing}) that exists exactly while a coalesce writes into it. A
 * coalesce cannot be atomic (it writes into the parent in place), so an interrupted one must not leave a parent
 * that looks complete: {@code check} reports the marker as {@code COALESCE_INCOMPLETE}, and running the same
 * coalesce again (it rewrites the same sectors) finishes the job and removes it.
 */
public final class CoalesceMarker {
    private CoalesceMarker() {
    }

    public static Path of(Path parent) {
        Path abs = parent.toAbsolutePath();
        return abs.resolveSibling("." + abs.getFileName() + ".coalescing");
    }

    /** Written and made durable before the first write into the parent; names the child being merged. */
    static void set(Path parent, Path child) throws IOException {
        Path m = of(parent);
        try (FileChannel ch = FileChannel.open(m, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap((child.toAbsolutePath() + "\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        io.vhdstream.vhd.io.Directories.fsync(m.getParent());
    }

    /** Removed once the parent's writes are durable. */
    static void clear(Path parent) throws IOException {
        Files.deleteIfExists(of(parent));
        io.vhdstream.vhd.io.Directories.fsync(of(parent).getParent());
    }

    /** The child named by the marker of {@code parent}, or null when no coalesce into it is unfinished. */
    public static String pending(Path parent) {
        Path m = of(parent);
        if (!Files.isRegularFile(m)) {
            return null;
        }
        try {
            String s = Files.readString(m, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "(unknown child)" : s;
        } catch (IOException e) {
            return "(unreadable marker " + m + ")";
        }
    }
}
