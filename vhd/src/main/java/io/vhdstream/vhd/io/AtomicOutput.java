package io.vhdstream.vhd.io;

import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one way a new output file comes into being: it is written under a hidden temporary name beside the
 * target ({@code .NAME.partial-XXXXXXXX}) and renamed to the target only by {@link #commit()}; a durable
 * output is fsynced before the rename and its directory after it (a power loss then leaves the whole file or
 * none), one that is not is left to the page cache as {@code cp} and {@code qemu-img convert} leave theirs. Until then nothing with the target's name exists (or the old
 * file is still there), so an interrupted import, export or conversion leaves nothing that looks complete:
 * {@link #close()} without commit deletes the temporary file, and so does a JVM shutdown (SIGTERM, SIGINT)
 * while it is open; after a SIGKILL only a hidden {@code .partial-} file remains.
 *
 * <p>An existing target is refused ({@link ProblemCode#ALREADY_EXISTS}) unless {@code overwrite}; the check
 * is repeated atomically at commit (a hard link never replaces), so a file that appears meanwhile survives.
 */
public final class AtomicOutput implements Closeable {
    private static final Set<Path> OPEN = new LinkedHashSet<>();
    private static boolean shuttingDown;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(AtomicOutput::deleteAllOpen, "vhdstream-partial-cleanup"));
    }

    private final Path target;
    private final Path temp;
    private final boolean overwrite;
    private final boolean durable;
    private boolean done;

    private AtomicOutput(Path target, Path temp, boolean overwrite, boolean durable) {
        this.target = target;
        this.temp = temp;
        this.overwrite = overwrite;
        this.durable = durable;
    }

    /** A durable output: {@link #create(Path, boolean, boolean)} with {@code durable} true. */
    public static AtomicOutput create(Path target, boolean overwrite) throws IOException {
        return create(target, overwrite, true);
    }

    /**
     * Reserves a temporary name beside {@code target} (the file itself is not created: the writer creates it).
     *
     * @throws VhdException ALREADY_EXISTS when the target exists and {@code overwrite} is false; INVALID_ARGUMENT
     *                      when it exists and is not a regular file (a directory, a device)
     */
    public static AtomicOutput create(Path target, boolean overwrite, boolean durable) throws IOException {
        requireWritable(target, overwrite);
        Path abs = target.toAbsolutePath();
        Path temp = abs.resolveSibling("." + abs.getFileName() + ".partial-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16));
        synchronized (OPEN) {
            if (shuttingDown) {
                throw new VhdException(ProblemCode.IO_ERROR, "shutting down; not creating " + target);
            }
            OPEN.add(temp);
        }
        return new AtomicOutput(target, temp, overwrite, durable);
    }

    /** The check {@link #create} makes, for callers that want to fail before long work starts. */
    public static void requireWritable(Path target, boolean overwrite) throws VhdException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) || Files.exists(target)) {
            if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new VhdException(ProblemCode.INVALID_ARGUMENT, target + " exists and is not a regular file");
            }
            if (!overwrite) {
                throw new VhdException(ProblemCode.ALREADY_EXISTS, target + " already exists (--force replaces it)");
            }
        }
    }

    public Path target() {
        return target;
    }

    /** Where to write; becomes {@link #target()} at {@link #commit()}. */
    public Path temp() {
        return temp;
    }

    /** Gives the written file the target's name; makes it durable first when it is a durable output. */
    public void commit() throws IOException {
        if (done) {
            throw new IllegalStateException("already committed or closed: " + target);
        }
        if (durable) {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
        synchronized (OPEN) {
            if (shuttingDown) {
                throw new VhdException(ProblemCode.IO_ERROR, "interrupted; " + target + " was not created");
            }
            if (overwrite) {
                move(temp, target);
            } else {
                try {
                    Files.createLink(target, temp); // fails if the target appeared meanwhile
                    Files.delete(temp);
                } catch (FileAlreadyExistsException e) {
                    throw new VhdException(ProblemCode.ALREADY_EXISTS, target + " appeared while it was being written;"
                            + " left as it is (--force replaces it)", e);
                } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
                    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                        throw new VhdException(ProblemCode.ALREADY_EXISTS, target + " already exists (--force replaces it)");
                    }
                    move(temp, target); // no hard links here (e.g. a FAT mount): check, then rename
                }
            }
            OPEN.remove(temp);
            done = true;
        }
        if (durable) {
            Directories.fsync(target.toAbsolutePath().getParent());
        }
    }

    /** Without a commit: removes the temporary file. */
    @Override
    public void close() throws IOException {
        synchronized (OPEN) {
            if (done) {
                return;
            }
            done = true;
            OPEN.remove(temp);
        }
        Files.deleteIfExists(temp);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteAllOpen() {
        synchronized (OPEN) {
            shuttingDown = true;
            for (Path p : OPEN) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // nothing more to do while the JVM exits
                }
            }
            OPEN.clear();
        }
    }
}
