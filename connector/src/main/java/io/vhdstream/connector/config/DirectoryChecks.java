package io.vhdstream.connector.config;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** File-system checks for connector validation: the messages Connect's validate endpoint shows. */
public final class DirectoryChecks {
    private DirectoryChecks() {
    }

    /** @return null if {@code dir} is a readable, listable directory, else why not */
    public static String readableDirectory(Path dir) {
        if (!Files.exists(dir)) {
            return dir + " does not exist";
        }
        if (!Files.isDirectory(dir)) {
            return dir + " is not a directory";
        }
        if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
            return dir + " is not readable by the worker (user " + System.getProperty("user.name") + ")";
        }
        try (DirectoryStream<Path> list = Files.newDirectoryStream(dir)) {
            list.iterator().hasNext();
        } catch (IOException | DirectoryIteratorException e) {
            return dir + " cannot be listed by the worker: " + e;
        }
        return null;
    }

    /** @return null if {@code dir} is a writable directory, or can be created under a writable parent */
    public static String writableDirectory(Path dir) {
        Path d = dir.toAbsolutePath().normalize();
        if (Files.exists(d)) {
            if (!Files.isDirectory(d)) {
                return dir + " is not a directory";
            }
            if (!Files.isWritable(d) || !Files.isExecutable(d)) {
                return dir + " is not writable by the worker (user " + System.getProperty("user.name") + ")";
            }
            return null;
        }
        Path p = d.getParent();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null || !Files.isDirectory(p) || !Files.isWritable(p)) {
            return dir + " does not exist and cannot be created (" + (p == null ? "no existing parent" : p + " is not writable") + ")";
        }
        return null;
    }
}
