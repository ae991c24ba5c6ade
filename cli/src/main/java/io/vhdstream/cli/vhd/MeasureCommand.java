package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.CodedCommand;
import io.vhdstream.cli.Models;
import io.vhdstream.cli.ProgressOptions;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.ProgressBar;
import io.vhdstream.cli.util.SizeConverter;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.convert.DiskSource;
import io.vhdstream.vhd.convert.Importer;
import io.vhdstream.vhd.header.DynamicHeader;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code vhdstream vhd measure [--size SIZE | SRC] [-O fixed|dynamic] [--block-size SIZE] [--json]}, as
 * {@code qemu-img measure} (whose vpc driver cannot measure): the size of the VHD file {@code vhd convert} or
 * {@code vhd import} would make. Scripts call it before every conversion to reserve space, so its model is
 * written in code ({@link CodedCommand}).
 */
public final class MeasureCommand extends VerbCommand implements CodedCommand {
    private Models.Value<List<Path>> src;
    private Models.Value<Long> size;
    private Models.Value<NewImageType> type;
    private Models.Value<Long> blockSize;
    private Models.Value<String> format;
    private Models.Value<Boolean> json;
    private ChainOptionsMixin chainOptions;
    private ProgressOptions progressOptions;

    @Override
    public CommandSpec model() {
        spec = Models.command(this, "measure",
                "Print the size of the VHD file that 'vhd convert' (or 'vhd import') would make of SRC, or of an empty"
                        + " disk of --size bytes.",
                "As qemu-img measure prints them: 'required size' is what the file takes (a dynamic image stores only the"
                        + " blocks holding data: SRC is read, a raw file's holes skipped); 'fully allocated size' is the"
                        + " file when every sector holds data.");
        src = Models.positionals(spec, "0", "0..1", "SRC", Path.class, "A VHD (top of its chain) or a raw disk.");
        size = Models.option(spec, "--size", "SIZE", Long.class, new SizeConverter(),
                "Measure an empty disk of SIZE bytes (K, M, G, T) instead of SRC.");
        type = Models.option(spec, new String[] {"-O", "--type"}, "fixed|dynamic", NewImageType.class, new NewImageType.Converter(),
                "dynamic", "Type of the VHD (default: ${DEFAULT-VALUE}).");
        blockSize = Models.option(spec, "--block-size", "SIZE", Long.class, new SizeConverter(),
                "Block size of a dynamic VHD (default: 2M).");
        format = Models.option(spec, "--format", "raw", String.class, null, "'raw': read SRC as a raw disk even if it looks like a VHD.");
        json = Models.flag(spec, "--json", "Print {\"version\":1,\"required\":N,\"fully-allocated\":N}.");
        chainOptions = ChainOptionsMixin.declareOn(spec);
        progressOptions = ProgressOptions.declareOn(spec);
        return spec;
    }

    @Override
    public Integer call() throws IOException {
        List<Path> src = this.src.value();
        Long size = this.size.value();
        NewImageType type = this.type.value();
        Long blockSize = this.blockSize.value();
        String format = this.format.value();
        boolean given = src != null && !src.isEmpty();
        if (given == (size != null)) {
            throw usage(given ? "give SRC or --size, not both" : "give SRC or --size");
        }
        if (format != null && !format.equals("raw")) {
            throw usage("--format takes only 'raw'");
        }
        if (type == NewImageType.FIXED && blockSize != null) {
            throw usage("--block-size applies only to --type dynamic");
        }
        long bs = blockSize != null ? blockSize : DynamicHeader.DEFAULT_BLOCK_SIZE;
        Importer.Measurement m;
        if (given) {
            Path in = src.get(0);
            try (DiskSource source = DiskInputs.open(in, "raw".equals(format), chainOptions);
                 ProgressBar bar = progress(progressOptions, "measure")) {
                m = Importer.measure(source, type.diskType(), bs, bar);
            }
        } else {
            m = Importer.measure(size, type.diskType(), bs);
        }
        if (json.value()) {
            MeasureJson.print(out(), m);
        } else {
            out().println("required size: " + m.required());
            out().println("fully allocated size: " + m.fullyAllocated());
        }
        return 0;
    }

    private static CliException usage(String message) {
        return CliException.usage(ProblemCode.INVALID_ARGUMENT.name(), message);
    }
}
