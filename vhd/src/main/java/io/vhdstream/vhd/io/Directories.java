package io.vhdstream.vhd.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/** Directory durability: a rename or deletion survives a power loss only once its directory is fsynced. */
public final class Directories {
    private Directories() {
    }

    /** Makes renames and deletions in {@code dir} durable. A no-op where the platform cannot open directories. */
    public static void fsync(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Windows cannot open a directory as a channel; its renames are durable through the file system journal.
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("win")) {
                throw e;
            }
        }
    }

    /**
     * Creates {@code dir} and any missing parents, each new entry made durable (its parent directory fsynced): a
     * directory that exists only in the page cache vanishes with a power loss, and everything in it with it.
     */
    public static void createDirectories(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            return;
        }
        Path parent = abs.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(abs);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(abs)) {
                throw e;
            }
            return;
        }
        if (parent != null) {
            fsync(parent);
        }
    }

    /** Deletes {@code dir} and everything under it, if it exists (not durable by itself: fsync the parent). */
    public static void deleteTree(Path dir) throws IOException {
        deleteTree(dir, false);
    }

    /** Deletes everything under {@code dir} and, unless {@code keepDir}, {@code dir} itself; nothing if it does not exist. */
    public static void deleteTree(Path dir, boolean keepDir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                if (!(keepDir && p.equals(dir))) {
                    Files.deleteIfExists(p);   // one gone meanwhile (a process still ending) is not an error
                }
            }
        }
    }
}
