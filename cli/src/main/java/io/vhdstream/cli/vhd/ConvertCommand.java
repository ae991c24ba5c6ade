package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.CodedCommand;
import io.vhdstream.cli.Models;
import io.vhdstream.cli.ProgressOptions;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.ProgressBar;
import io.vhdstream.cli.util.SizeConverter;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.convert.DiskSource;
import io.vhdstream.vhd.convert.Importer;
import io.vhdstream.vhd.header.DynamicHeader;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code vhdstream vhd convert IN OUT [-O vhd|raw] [--type fixed|dynamic] [--block-size SIZE]}, as
 * {@code qemu-img convert}: a VHD chain flattened into one image of another type or block size, a raw disk
 * into a VHD, a VHD chain into a raw disk. Through the same importer and exporter as import and export. Its model
 * is written in code ({@link CodedCommand}): measured as a process against {@code qemu-img convert}, where
 * start-up is a visible part of a small image's run.
 */
public final class ConvertCommand extends VerbCommand implements CodedCommand {
    private Models.Value<Path> in;
    private Models.Value<Path> out;
    private Models.Value<String> outputFormat;
    private Models.Value<NewImageType> type;
    private Models.Value<Long> blockSize;
    private Models.Value<String> format;
    private Models.Value<Boolean> force;
    private ChainOptionsMixin chainOptions;
    private SyncOption syncOption;
    private ProgressOptions progressOptions;

    @Override
    public CommandSpec model() {
        spec = Models.command(this, "convert",
                "Copy the virtual disk of IN (a VHD, read through its chain, or a raw disk) into a new image OUT.",
                "  -O vhd (default): a fixed or dynamic VHD (--type, --block-size); a chain becomes one image, all-zero"
                        + " sectors are not stored;",
                "  -O raw: a raw disk (holes stay holes; OUT '-' writes to stdout front to back).",
                "OUT is written under a temporary name and renamed when complete; an existing OUT only with --force.");
        in = Models.positional(spec, "0", "IN", Path.class, "A VHD (top of its chain) or a raw disk.");
        out = Models.positional(spec, "1", "OUT", Path.class, "The image to write.");
        outputFormat = Models.option(spec, new String[] {"-O", "--output-format"}, "vhd|raw", String.class, null, "vhd",
                "Format of OUT (default: ${DEFAULT-VALUE}).");
        type = Models.option(spec, "--type", "fixed|dynamic", NewImageType.class, new NewImageType.Converter(),
                "Type of a VHD OUT (default: dynamic).");
        blockSize = Models.option(spec, "--block-size", "SIZE", Long.class, new SizeConverter(),
                "Block size of a dynamic OUT (default: 2M).");
        format = Models.option(spec, "--format", "raw", String.class, null, "'raw': read IN as a raw disk even if it looks like a VHD.");
        force = Models.flag(spec, new String[] {"-f", "--force"}, "Replace OUT if it exists.");
        chainOptions = ChainOptionsMixin.declareOn(spec);
        syncOption = SyncOption.declareOn(spec);
        progressOptions = ProgressOptions.declareOn(spec);
        return spec;
    }

    @Override
    public Integer call() throws IOException {
        Path in = this.in.value();
        Path out = this.out.value();
        String outputFormat = this.outputFormat.value();
        NewImageType type = this.type.value();
        Long blockSize = this.blockSize.value();
        String format = this.format.value();
        boolean force = this.force.value();
        String of = outputFormat.toLowerCase(Locale.ROOT);
        if (!of.equals("vhd") && !of.equals("raw")) {
            throw usage("-O takes vhd or raw, not " + outputFormat);
        }
        if (format != null && !format.equals("raw")) {
            throw usage("--format takes only 'raw'");
        }
        if (of.equals("raw") && (type != null || blockSize != null)) {
            throw usage("--type and --block-size apply to -O vhd");
        }
        NewImageType t = type != null ? type : NewImageType.DYNAMIC;
        if (t == NewImageType.FIXED && blockSize != null) {
            throw usage("--block-size applies only to --type dynamic");
        }
        boolean rawIn = "raw".equals(format) || DiskInputs.format(in) == io.vhdstream.vhd.convert.ContainerFormat.RAW;
        OutputTarget target = OutputTarget.of(out, force);
        long size;
        try (ProgressBar bar = progress(progressOptions, "convert")) {
            if (of.equals("raw")) {
                if (rawIn) {
                    throw usage(in + " is already a raw disk (copy it with cp --sparse=always)");
                }
                size = toRaw(in, out, force, target, bar);
            } else {
                if (target != OutputTarget.FILE) {
                    throw usage("a VHD is written to a file, not to a stream");
                }
                try (DiskSource src = DiskSource.open(in, rawIn, chainOptions.forImage(in))) {
                    if (src instanceof DiskSource.Chain c) {
                        Guards.requireNotLayer(out, c.chain());
                    } else {
                        Guards.requireNotInput(out, in);
                    }
                    size = src.size();
                    Importer.importDisk(src, out, t.diskType(), blockSize != null ? blockSize
                            : DynamicHeader.DEFAULT_BLOCK_SIZE, force, bar);
                }
            }
        }
        summary(progressOptions, "converted " + in + " to " + (target == OutputTarget.STDOUT ? "stdout" : out) + " ("
                + (of.equals("raw") ? "raw" : t + " VHD") + ", " + Sizes.withHuman(size) + ")");
        return 0;
    }

    private long toRaw(Path in, Path out, boolean force, OutputTarget target, ProgressBar bar) throws IOException {
        target.requireNotTerminal(terminal());
        try (VhdChain chain = VhdChain.open(in, chainOptions.forImage(in), false)) {
            target.export(chain, out, force, syncOption.sync(), terminal(), bar);
            return chain.virtualSize();
        }
    }

    private static CliException usage(String message) {
        return CliException.usage(ProblemCode.INVALID_ARGUMENT.name(), message);
    }
}
