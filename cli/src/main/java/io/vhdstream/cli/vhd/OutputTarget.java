package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.vhd.ProblemCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * Where a verb's output goes: stdout ({@code -}, or a path that names it), an existing stream such as a FIFO
 * or {@code /dev/null} (written front to back in place), or a regular file (created through
 * {@code AtomicOutput}: an existing one only with {@code --force}).
 */
enum OutputTarget {
    STDOUT, STREAM, FILE;

    private static final Set<String> STDOUT_NAMES = Set.of("-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1");
    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    static OutputTarget of(Path p, boolean force) throws IOException {
        if (STDOUT_NAMES.contains(p.toString())) {
            return STDOUT;
        }
        if (Files.exists(p) && !Files.isRegularFile(p) && !Files.isDirectory(p)) {
            if (isBlockDevice(p) && !force) {
                throw CliException.usage(ProblemCode.ALREADY_EXISTS.name(), p + " is a block device; --force writes over it");
            }
            return STREAM;
        }
        if (Files.isDirectory(p)) {
            throw CliException.usage(ProblemCode.INVALID_ARGUMENT.name(), p + " is a directory");
        }
        if (!force && (Files.exists(p, LinkOption.NOFOLLOW_LINKS))) {
            throw CliException.failure(ProblemCode.ALREADY_EXISTS.name(), p + " already exists (--force replaces it)");
        }
        return FILE;
    }

    /** Refuses disk data onto a terminal: checked before anything is opened. */
    void requireNotTerminal(io.vhdstream.cli.Terminal terminal) {
        if (this == STDOUT && terminal.stdoutTerminal()) {
            throw CliException.usage(ProblemCode.INVALID_ARGUMENT.name(),
                    "refusing to write disk data to a terminal; redirect stdout or name a file");
        }
    }

    /**
     * Writes the chain's whole disk here through the one exporter: stdout, a stream in place, or a new file
     * (fsynced before its rename only when {@code sync}).
     */
    void export(io.vhdstream.vhd.chain.VhdChain chain, Path out, boolean force, boolean sync,
                io.vhdstream.cli.Terminal terminal, io.vhdstream.vhd.ProgressListener bar) throws IOException {
        switch (this) {
            case STDOUT -> {
                io.vhdstream.vhd.convert.Exporter.export(chain, java.nio.channels.Channels.newChannel(terminal.out()), bar);
                terminal.out().flush();
            }
            case STREAM -> {
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(out,
                        java.nio.file.StandardOpenOption.WRITE)) {
                    io.vhdstream.vhd.convert.Exporter.export(chain, ch, bar);
                }
            }
            case FILE -> {
                Guards.requireNotLayer(out, chain);
                io.vhdstream.vhd.convert.Exporter.export(chain, out, force, sync, bar);
            }
        }
    }

    static boolean isStdin(Path p) {
        return p.toString().equals("-") || p.toString().equals("/dev/stdin");
    }

    private static boolean isBlockDevice(Path p) {
        try {
            return (((Integer) Files.getAttribute(p, "unix:mode")) & S_IFMT) == S_IFBLK;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return true; // cannot tell: be careful
        }
    }
}
