package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.ProgressOptions;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.ProgressBar;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.convert.Exporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** {@code vhdstream vhd export FILE RAW_OUT}: the whole virtual disk through the chain, holes left sparse. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write the whole virtual disk, read through the parent chain, to a raw file.",
            "RAW_OUT is created under a temporary name and renamed when complete (an existing file only with --force);"
                + " ranges no layer holds stay holes (a sparse file). RAW_OUT '-' (or a FIFO, or a device) is written"
                + " front to back, holes as zeros. The summary goes to stderr."})
public final class ExportCommand extends VerbCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The (top) image.")
    Path file;

    @Parameters(index = "1", paramLabel = "RAW_OUT", description = "The raw disk file to write, or - for stdout.")
    Path rawOut;

    @Option(names = {"-f", "--force"}, description = "Replace RAW_OUT if it exists.")
    boolean force;

    @Mixin
    ChainOptionsMixin chainOptions;

    @Mixin
    ProgressOptions progressOptions;

    @Override
    public Integer call() throws IOException {
        OutputTarget target = OutputTarget.of(rawOut, force);
        if (target == OutputTarget.STDOUT && terminal().stdoutTerminal()) {
            throw CliException.usage(ProblemCode.INVALID_ARGUMENT.name(),
                    "refusing to write disk data to a terminal; redirect stdout or name a file");
        }
        long size;
        int layers;
        try (VhdChain chain = VhdChain.open(file, chainOptions.forImage(file), false)) {
            if (target != OutputTarget.STDOUT) {
                Guards.requireNotLayer(rawOut, chain);
            }
            size = chain.virtualSize();
            layers = chain.layers().size();
            try (ProgressBar bar = progress(progressOptions, "export")) {
                switch (target) {
                    case STDOUT -> {
                        Exporter.export(chain, Channels.newChannel(terminal().out()), bar);
                        terminal().out().flush();
                    }
                    case STREAM -> {
                        try (FileChannel out = FileChannel.open(rawOut, StandardOpenOption.WRITE)) {
                            Exporter.export(chain, out, bar);
                        }
                    }
                    case FILE -> Exporter.export(chain, rawOut, force, bar);
                }
            }
        }
        summary(progressOptions, "exported " + file + " (" + layers + (layers == 1 ? " layer" : " layers") + ") to "
                + (target == OutputTarget.STDOUT ? "stdout" : rawOut) + ": " + Sizes.withHuman(size));
        return 0;
    }
}
