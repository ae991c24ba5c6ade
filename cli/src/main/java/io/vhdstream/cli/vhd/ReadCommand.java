package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.SizeConverter;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.io.AtomicOutput;
import io.vhdstream.vhd.io.Sectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** {@code vhdstream vhd read FILE --offset BYTES --length BYTES [--output FILE]}: streamed in 4 MiB chunks. */
@Command(name = "read", mixinStandardHelpOptions = true,
        description = {"Read a range of the virtual disk, through the parent chain, to stdout or --output.",
            "Offset and length are bytes (K, M, G, T suffixes allowed) and multiples of 512."})
public final class ReadCommand extends VerbCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The (top) image.")
    Path file;

    @Option(names = "--offset", required = true, paramLabel = "BYTES", converter = SizeConverter.class,
            description = "Where to start, a multiple of 512.")
    long offset;

    @Option(names = "--length", required = true, paramLabel = "BYTES", converter = SizeConverter.class,
            description = "How much to read, a multiple of 512.")
    long length;

    @Option(names = "--output", paramLabel = "FILE", description = "Write here instead of stdout: a new file (renamed"
            + " into place when complete; an existing one only with --force), a FIFO or device, or - for stdout.")
    Path output;

    @Option(names = {"-f", "--force"}, description = "Replace the --output file if it exists.")
    boolean force;

    @Mixin
    ChainOptionsMixin chainOptions;

    @Override
    public Integer call() throws IOException {
        Guards.requireAligned("--offset", offset);
        Guards.requireAligned("--length", length);
        OutputTarget target = output == null ? OutputTarget.STDOUT : OutputTarget.of(output, force);
        if (target == OutputTarget.STDOUT && terminal().stdoutTerminal()) {
            throw CliException.usage(ProblemCode.INVALID_ARGUMENT.name(),
                    "refusing to write disk data to a terminal; redirect stdout or use --output FILE");
        }
        try (VhdChain chain = VhdChain.open(file, chainOptions.forImage(file), false)) {
            Sectors.requireWithin(offset, length, chain.virtualSize());
            switch (target) {
                case STDOUT -> {
                    OutputStream os = terminal().out();
                    copy(chain, os);
                    os.flush();
                }
                case STREAM -> {
                    try (OutputStream os = Files.newOutputStream(output, StandardOpenOption.WRITE)) {
                        copy(chain, os);
                    }
                }
                case FILE -> {
                    Guards.requireNotLayer(output, chain);
                    try (AtomicOutput out = AtomicOutput.create(output, force)) {
                        try (OutputStream os = Files.newOutputStream(out.temp(), StandardOpenOption.CREATE_NEW,
                                StandardOpenOption.WRITE)) {
                            copy(chain, os);
                        }
                        out.commit();
                    }
                }
            }
        }
        return 0;
    }

    private void copy(VhdChain chain, OutputStream os) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.max(Sectors.SIZE, Math.min(Guards.CHUNK, length)));
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(buf.capacity(), length - done);
            buf.clear().limit(n);
            chain.read(offset + done, buf);
            os.write(buf.array(), 0, n);
            done += n;
        }
    }
}
