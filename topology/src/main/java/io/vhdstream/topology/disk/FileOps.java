package io.vhdstream.topology.disk;

import io.vhdstream.vhd.io.Directories;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Durable small-file operations: atomic replace, fsynced append, directory fsync. */
public final class FileOps {
    private FileOps() {
    }

    /** Replaces {@code target} with {@code content}: written under a temporary name, fsynced, renamed, directory fsynced. */
    public static void atomicWrite(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve(LayerNames.tmp(target.getFileName().toString()));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        moveIntoPlace(tmp, target);
    }

    /** Renames {@code tmp} to {@code target} atomically (replacing it) and fsyncs the directory. */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        fsyncDir(target.toAbsolutePath().getParent());
    }

    /** Appends bytes and fsyncs the file (and the directory when the file is new). */
    public static void appendDurably(Path file, byte[] content) throws IOException {
        boolean existed = Files.exists(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        if (!existed) {
            fsyncDir(file.toAbsolutePath().getParent());
        }
    }

    /** Creates {@code dir} and any missing parents durably (the vhd engine's {@link Directories#createDirectories}). */
    public static void createDirectories(Path dir) throws IOException {
        Directories.createDirectories(dir);
    }

    /** Makes renames and deletions in {@code dir} durable (the vhd engine's {@link Directories#fsync}). */
    public static void fsyncDir(Path dir) throws IOException {
        Directories.fsync(dir);
    }

    /** Deletes {@code dir} and everything under it, if it exists (the vhd engine's {@link Directories#deleteTree}). */
    public static void deleteTree(Path dir) throws IOException {
        Directories.deleteTree(dir);
    }
}
