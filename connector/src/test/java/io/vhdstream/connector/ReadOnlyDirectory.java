package io.vhdstream.connector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real fault: a directory in which nothing can be created, renamed or deleted while this is open (files already
 * in it stay writable). As root, whom permissions do not stop, the immutable attribute ({@code chattr +i}) does it;
 * otherwise {@code chmod a-w}. The constructor checks that creating a file really fails.
 */
public final class ReadOnlyDirectory implements AutoCloseable {
    private final Path dir;
    private final boolean root;

    public ReadOnlyDirectory(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        this.root = "root".equals(System.getProperty("user.name"));
        if (root) {
            run("chattr", "+i", dir.toString());
        } else {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        boolean writable;
        try {
            Files.delete(Files.createFile(dir.resolve("probe")));
            writable = true;
        } catch (IOException expected) {
            writable = false;
        }
        if (writable) {
            close();
            throw new AssertionError("could not make " + dir + " read-only: a file could still be created in it");
        }
    }

    @Override
    public void close() throws IOException {
        if (root) {
            try {
                run("chattr", "-i", dir.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        } else {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
