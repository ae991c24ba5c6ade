package io.vhdstream.vhd.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where a file holds data and where it has holes ({@code lseek} with {@code SEEK_DATA}/{@code SEEK_HOLE}),
 * so that a sparse file can be read in time and memory that scale with its data, not its size. Java 17 has
 * no API for it: a small JNI library does the two calls (vhd/src/main/c, built with gcc into this jar when
 * gcc is there). Without the library, or for a channel it cannot use, every byte counts as data: the same
 * result, read in full. Set the system property {@code vhdstream.native=false} to never load it.
 *
 * <p>Holes are only a hint: a data extent may still hold zeros, and readers must not rely on a hole being
 * reported (file systems may report none).
 */
public final class DataExtents {
    private DataExtents() {
    }

    /** Whether holes are found at all (the native library is loaded). */
    public static boolean available() {
        return Native.LOADED;
    }

    /**
     * The first offset in {@code [from, end)} at which {@code ch} holds data, or {@code end} when it holds
     * none there. Without the library: {@code from}.
     */
    public static long nextData(FileChannel ch, long from, long end) throws IOException {
        if (from >= end) {
            return end;
        }
        long r = seek(ch, from, true);
        if (r == UNKNOWN) {
            return from;
        }
        return r < 0 ? end : Math.min(Math.max(r, from), end);
    }

    /**
     * The first offset in {@code (from, end)} at which a hole starts in {@code ch}, or {@code end}; call it
     * with an offset {@link #nextData} returned. Without the library: {@code end}.
     */
    public static long nextHole(FileChannel ch, long from, long end) throws IOException {
        if (from >= end) {
            return end;
        }
        long r = seek(ch, from, false);
        // Always past from: a file changed meanwhile must not make a caller's loop stand still.
        return r < 0 ? end : Math.min(Math.max(r, from + 1), end);
    }

    private static final long UNKNOWN = -2;

    /** lseek's answer; -1 for "none" (ENXIO), {@link #UNKNOWN} when holes cannot be found for this channel. */
    private static long seek(FileChannel ch, long from, boolean data) throws IOException {
        if (!Native.LOADED) {
            return UNKNOWN;
        }
        long r = seek0(ch, from, data);
        if (r <= -1000) {
            int errno = (int) (-1000 - r);
            if (errno == 22 || errno == 95) { // EINVAL, EOPNOTSUPP: the file system does not answer
                return UNKNOWN;
            }
            throw new IOException("lseek(" + (data ? "SEEK_DATA" : "SEEK_HOLE") + ", " + from + ") failed: errno " + errno);
        }
        return r;
    }

    /** See data-extents.c. The channel's position is left where it was. */
    private static native long seek0(FileChannel ch, long offset, boolean data);

    /** Loads the library on first use: from this jar's resources into a private temporary file. */
    private static final class Native {
        static final boolean LOADED = load();

        private static boolean load() {
            if ("false".equals(System.getProperty("vhdstream.native"))) {
                return false;
            }
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).replace(' ', '-');
            String resource = "native/" + os + "-" + System.getProperty("os.arch", "") + "/libvhdstream-data-extents.so";
            try (InputStream in = DataExtents.class.getResourceAsStream(resource)) {
                if (in == null) {
                    return false;
                }
                Path tmp = createPrivateFile();
                try {
                    try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                        in.transferTo(out);
                    }
                    System.load(tmp.toAbsolutePath().toString());
                } finally {
                    Files.deleteIfExists(tmp); // the mapping stays valid
                }
                return true;
            } catch (IOException | UnsatisfiedLinkError | SecurityException | UnsupportedOperationException e) {
                return false; // e.g. no space in the temporary directory, or it is mounted noexec
            }
        }

        /**
         * A new owner-only file in the temporary directory. Not {@code Files.createTempFile}: its names come from
         * a {@code SecureRandom}, whose providers cost a short command tens of milliseconds of CPU to set up
         * (docs/benchmarks.md); the name need not be unguessable, as the file is created exclusively (a file or
         * link planted under the name makes this try another).
         */
        private static Path createPrivateFile() throws IOException {
            Path dir = Path.of(System.getProperty("java.io.tmpdir"));
            for (int attempt = 0; ; attempt++) {
                Path p = dir.resolve("vhdstream-data-extents-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".so");
                try {
                    return Files.createFile(p, PosixFilePermissions.asFileAttribute(
                            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
                } catch (FileAlreadyExistsException e) {
                    if (attempt == 20) {
                        throw e;
                    }
                }
            }
        }
    }
}
