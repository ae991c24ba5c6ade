package io.vhdstream.cli.vhd;

import io.vhdstream.cli.ProgressOptions;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.ProgressBar;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.vhd.chain.VhdChain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;

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
    SyncOption syncOption;

    @Mixin
    ProgressOptions progressOptions;

    @Override
    public Integer call() throws IOException {
        OutputTarget target = OutputTarget.of(rawOut, force);
        target.requireNotTerminal(terminal());
        long size;
        int layers;
        try (VhdChain chain = VhdChain.open(file, chainOptions.forImage(file), false);
             ProgressBar bar = progress(progressOptions, "export")) {
            size = chain.virtualSize();
            layers = chain.layers().size();
            target.export(chain, rawOut, force, syncOption.sync, terminal(), bar);
        }
        summary(progressOptions, "exported " + file + " (" + layers + (layers == 1 ? " layer" : " layers") + ") to "
                + (target == OutputTarget.STDOUT ? "stdout" : rawOut) + ": " + Sizes.withHuman(size));
        return 0;
    }
}
