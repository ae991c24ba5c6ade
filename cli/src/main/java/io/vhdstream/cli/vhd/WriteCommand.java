package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.CodedCommand;
import io.vhdstream.cli.Models;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.SizeConverter;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.Sectors;
import io.vhdstream.cli.ProgressOptions;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code vhdstream vhd write FILE --offset BYTES [--input FILE]}: streams the input into the image in chunks
 * of at most 4 MiB at increasing offsets, never holding more than one chunk.
 */
public final class WriteCommand extends VerbCommand implements CodedCommand {
    private Models.Value<Path> fileArg;
    private Models.Value<Long> offsetArg;
    private Models.Value<Path> inputArg;
    private Models.Value<Boolean> forceArg;
    private Models.Value<List<Path>> allowRootsArg;
    private ProgressOptions progressOptions;
    // the values, as call() and its helpers use them
    private Path file;
    private long offset;
    private Path input;
    private boolean force;
    private List<Path> allowRoots;

    @Override
    public CommandSpec model() {
        spec = Models.command(this, "write", "Write stdin (or --input) into the image at --offset. Only this image is written, never a parent.",
                "An image that others (in its directory or an --allow-root) use as their parent is refused without --force:"
                + " writing into it would change what they read.",
                "The input must be a whole number of 512-byte sectors: an --input file is checked before anything is"
                + " written; from stdin, a partial last sector is an error after the whole sectors before it were"
                + " written.");
        fileArg = Models.positional(spec, "0", "FILE", Path.class, "The image to write (fixed, dynamic or differencing).");
        offsetArg = Models.requiredOption(spec, "--offset", "BYTES", Long.class, new SizeConverter(), "Where to start, a multiple of 512.");
        inputArg = Models.option(spec, "--input", "FILE", Path.class, null, "Read the data from FILE instead of stdin (- is stdin).");
        forceArg = Models.flag(spec, new String[] {"-f", "--force"}, "Write even into an image that other images use as their parent.");
        allowRootsArg = Models.repeatable(spec, "--allow-root", "DIR", Path.class,
                "Also look for children of FILE under DIR (repeatable); its own directory is always searched.");
        progressOptions = ProgressOptions.declareOn(spec);
        return spec;
    }

    @Override
    public Integer call() throws IOException {
        file = fileArg.value();
        offset = offsetArg.value();
        input = inputArg.value();
        force = forceArg.value();
        allowRoots = allowRootsArg.value();
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
