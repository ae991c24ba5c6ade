package io.vhdstream.cli.vhd;

import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.ProgressBar;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.convert.Exporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;

/** {@code vhdstream vhd export FILE RAW_OUT}: the whole virtual disk through the chain, holes left sparse. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write the whole virtual disk, read through the parent chain, to a raw file.",
            "RAW_OUT is created or truncated; ranges no layer holds stay holes (a sparse file)."})
public final class ExportCommand extends VerbCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The (top) image.")
    Path file;

    @Parameters(index = "1", paramLabel = "RAW_OUT", description = "The raw disk file to write.")
    Path rawOut;

    @Mixin
    ChainOptionsMixin chainOptions;

    @Override
    public Integer call() throws IOException {
        long size;
        int layers;
        try (VhdChain chain = VhdChain.open(file, chainOptions.forImage(file), false)) {
            Guards.requireNotLayer(rawOut, chain);
            size = chain.virtualSize();
            layers = chain.layers().size();
            try (ProgressBar bar = progress("export")) {
                Exporter.export(chain, rawOut, bar);
            }
        }
        out().println("exported " + file + " (" + layers + (layers == 1 ? " layer" : " layers") + ") to " + rawOut + ": "
                + Sizes.withHuman(size));
        return 0;
    }
}
