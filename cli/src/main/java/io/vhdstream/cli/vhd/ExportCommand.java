package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CodedCommand;
import io.vhdstream.cli.Models;
import io.vhdstream.cli.ProgressOptions;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.ProgressBar;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.vhd.chain.VhdChain;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code vhdstream vhd export FILE RAW_OUT}: the whole virtual disk through the chain, holes left sparse. Its model
 * is written in code ({@link CodedCommand}): as a process it is measured against {@code qemu-img convert}, where
 * start-up is a visible part of the run (docs/benchmarks.md).
 */
public final class ExportCommand extends VerbCommand implements CodedCommand {
    private Models.Value<Path> file;
    private Models.Value<Path> rawOut;
    private Models.Value<Boolean> force;
    private ChainOptionsMixin chainOptions;
    private SyncOption syncOption;
    private ProgressOptions progressOptions;

    @Override
    public CommandSpec model() {
        spec = Models.command(this, "export", "Write the whole virtual disk, read through the parent chain, to a raw file.",
                "RAW_OUT is created under a temporary name and renamed when complete (an existing file only with --force);"
                        + " ranges no layer holds stay holes (a sparse file). RAW_OUT '-' (or a FIFO, or a device) is written"
                        + " front to back, holes as zeros. The summary goes to stderr.");
        file = Models.positional(spec, "0", "FILE", Path.class, "The (top) image.");
        rawOut = Models.positional(spec, "1", "RAW_OUT", Path.class, "The raw disk file to write, or - for stdout.");
        force = Models.flag(spec, new String[] {"-f", "--force"}, "Replace RAW_OUT if it exists.");
        chainOptions = ChainOptionsMixin.declareOn(spec);
        syncOption = SyncOption.declareOn(spec);
        progressOptions = ProgressOptions.declareOn(spec);
        return spec;
    }

    @Override
    public Integer call() throws IOException {
        Path file = this.file.value();
        Path rawOut = this.rawOut.value();
        boolean force = this.force.value();
        OutputTarget target = OutputTarget.of(rawOut, force);
        target.requireNotTerminal(terminal());
        long size;
        int layers;
        try (VhdChain chain = VhdChain.open(file, chainOptions.forImage(file), false);
             ProgressBar bar = progress(progressOptions, "export")) {
            size = chain.virtualSize();
            layers = chain.layers().size();
            target.export(chain, rawOut, force, syncOption.sync(), terminal(), bar);
        }
        summary(progressOptions, "exported " + file + " (" + layers + (layers == 1 ? " layer" : " layers") + ") to "
                + (target == OutputTarget.STDOUT ? "stdout" : rawOut) + ": " + Sizes.withHuman(size));
        return 0;
    }
}
