package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.SizeConverter;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.Sectors;
import io.vhdstream.cli.ProgressOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code vhdstream vhd write FILE --offset BYTES [--input FILE]}: streams the input into the image in chunks
 * of at most 4 MiB at increasing offsets, never holding more than one chunk.
 */
@Command(name = "write", mixinStandardHelpOptions = true,
        description = {"Write stdin (or --input) into the image at --offset. Only this image is written, never a parent.",
            "An image that others (in its directory or an --allow-root) use as their parent is refused without --force:"
                + " writing into it would change what they read.",
            "The input must be a whole number of 512-byte sectors: an --input file is checked before anything is"
                + " written; from stdin, a partial last sector is an error after the whole sectors before it were"
                + " written."})
public final class WriteCommand extends VerbCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The image to write (fixed, dynamic or differencing).")
    Path file;

    @Option(names = "--offset", required = true, paramLabel = "BYTES", converter = SizeConverter.class,
            description = "Where to start, a multiple of 512.")
    long offset;

    @Option(names = "--input", paramLabel = "FILE", description = "Read the data from FILE instead of stdin (- is stdin).")
    Path input;

    @Option(names = {"-f", "--force"}, description = "Write even into an image that other images use as their parent.")
    boolean force;

    @Option(names = "--allow-root", paramLabel = "DIR",
            description = "Also look for children of FILE under DIR (repeatable); its own directory is always searched.")
    List<Path> allowRoots = new ArrayList<>();

    @Mixin
    ProgressOptions progressOptions;

    @Override
    public Integer call() throws IOException {
        Guards.requireAligned("--offset", offset);
        ChainOptionsMixin.requireDirectories(allowRoots);
        if (input != null && OutputTarget.isStdin(input)) {
            input = null;
        }
        try (VhdImage img = VhdImage.open(file, OpenOptions.WRITE)) {
            Guards.requireNoChildren(file, allowRoots, force);
            long written;
            if (input != null) {
                long size = Files.size(input);
                if (Files.isRegularFile(input)) {
                    if (!Sectors.aligned(size)) {
                        throw CliException.usage(ProblemCode.UNALIGNED.name(), input + " has " + size
                                + " bytes, not a whole number of 512-byte sectors; nothing was written");
                    }
                    Sectors.requireWithin(offset, size, img.virtualSize());
                }
                try (InputStream in = Files.newInputStream(input)) {
                    written = copy(in, img);
                }
            } else {
                written = copy(terminal().in(), img);
            }
            img.sync();
            summary(progressOptions, "wrote " + Sizes.withHuman(written) + " to " + file + " at offset " + offset);
        }
        return 0;
    }

    private long copy(InputStream in, VhdImage img) throws IOException {
        byte[] buf = new byte[Guards.CHUNK];
        long pos = offset;
        while (true) {
            int n = fill(in, buf);
            int whole = n & ~(Sectors.SIZE - 1);
            if (whole > 0) {
                img.write(pos, ByteBuffer.wrap(buf, 0, whole));
                pos += whole;
            }
            if (whole != n) {
                img.sync();
                throw CliException.usage(ProblemCode.UNALIGNED.name(), "the input ends with a partial sector of "
                        + (n - whole) + " bytes; the " + (pos - offset) + " bytes before it were written");
            }
            if (n < buf.length) {
                return pos - offset;
            }
        }
    }

    /** Reads until {@code buf} is full or the input ends; returns the bytes read. */
    private static int fill(InputStream in, byte[] buf) throws IOException {
        int n = 0;
        while (n < buf.length) {
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return n;
    }
}
