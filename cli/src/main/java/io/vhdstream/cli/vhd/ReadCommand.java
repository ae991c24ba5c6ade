package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.CodedCommand;
import io.vhdstream.cli.Models;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.SizeConverter;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.io.AtomicOutput;
import io.vhdstream.vhd.io.Sectors;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code vhdstream vhd read FILE --offset BYTES --length BYTES [--output FILE]}: streamed in 4 MiB chunks. A short
 * command scripts run often, so its model is written in code ({@link CodedCommand}).
 */
public final class ReadCommand extends VerbCommand implements CodedCommand {
    private Models.Value<Path> file;
    private Models.Value<Long> offset;
    private Models.Value<Long> length;
    private Models.Value<Path> output;
    private Models.Value<Boolean> force;
    private ChainOptionsMixin chainOptions;

    @Override
    public CommandSpec model() {
        spec = Models.command(this, "read", "Read a range of the virtual disk, through the parent chain, to stdout or --output.",
                "Offset and length are bytes (K, M, G, T suffixes allowed) and multiples of 512.");
        file = Models.positional(spec, "0", "FILE", Path.class, "The (top) image.");
        offset = Models.requiredOption(spec, "--offset", "BYTES", Long.class, new SizeConverter(), "Where to start, a multiple of 512.");
        length = Models.requiredOption(spec, "--length", "BYTES", Long.class, new SizeConverter(), "How much to read, a multiple of 512.");
        output = Models.option(spec, "--output", "FILE", Path.class, null, "Write here instead of stdout: a new file (renamed"
                + " into place when complete; an existing one only with --force), a FIFO or device, or - for stdout.");
        force = Models.flag(spec, new String[] {"-f", "--force"}, "Replace the --output file if it exists.");
        chainOptions = ChainOptionsMixin.declareOn(spec);
        return spec;
    }

    @Override
    public Integer call() throws IOException {
        Path file = this.file.value();
        long offset = this.offset.value();
        long length = this.length.value();
        Path output = this.output.value();
        boolean force = this.force.value();
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
                    copy(chain, offset, length, os);
                    os.flush();
                }
                case STREAM -> {
                    try (OutputStream os = Files.newOutputStream(output, StandardOpenOption.WRITE)) {
                        copy(chain, offset, length, os);
                    }
                }
                case FILE -> {
                    Guards.requireNotLayer(output, chain);
                    try (AtomicOutput out = AtomicOutput.create(output, force)) {
                        try (OutputStream os = Files.newOutputStream(out.temp(), StandardOpenOption.CREATE_NEW,
                                StandardOpenOption.WRITE)) {
                            copy(chain, offset, length, os);
                        }
                        out.commit();
                    }
                }
            }
        }
        return 0;
    }

    private static void copy(VhdChain chain, long offset, long length, OutputStream os) throws IOException {
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
