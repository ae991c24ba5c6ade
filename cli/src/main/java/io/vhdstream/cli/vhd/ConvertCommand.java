package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code vhdstream vhd convert IN OUT [-O vhd|raw] [--type fixed|dynamic] [--block-size SIZE]}, as
 * {@code qemu-img convert}: a VHD chain flattened into one image of another type or block size, a raw disk
 * into a VHD, a VHD chain into a raw disk. Through the same importer and exporter as import and export.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Copy the virtual disk of IN (a VHD, read through its chain, or a raw disk) into a new image OUT:",
            "  -O vhd (default): a fixed or dynamic VHD (--type, --block-size); a chain becomes one image, all-zero"
                + " sectors are not stored;",
            "  -O raw: a raw disk (holes stay holes; OUT '-' writes to stdout front to back).",
            "OUT is written under a temporary name and renamed when complete; an existing OUT only with --force."})
public final class ConvertCommand extends VerbCommand {
    @Parameters(index = "0", paramLabel = "IN", description = "A VHD (top of its chain) or a raw disk.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The image to write.")
    Path out;

    @Option(names = {"-O", "--output-format"}, paramLabel = "vhd|raw", defaultValue = "vhd",
            description = "Format of OUT (default: ${DEFAULT-VALUE}).")
    String outputFormat;

    @Option(names = "--type", paramLabel = "fixed|dynamic", converter = NewImageType.Converter.class,
            description = "Type of a VHD OUT (default: dynamic).")
    NewImageType type;

    @Option(names = "--block-size", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Block size of a dynamic OUT (default: 2M).")
    Long blockSize;

    @Option(names = "--format", paramLabel = "raw", description = "'raw': read IN as a raw disk even if it looks like a VHD.")
    String format;

    @Option(names = {"-f", "--force"}, description = "Replace OUT if it exists.")
    boolean force;

    @Mixin
    ChainOptionsMixin chainOptions;

    @Mixin
    SyncOption syncOption;

    @Mixin
    ProgressOptions progressOptions;

    @Override
    public Integer call() throws IOException {
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
                size = toRaw(target, bar);
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

    private long toRaw(OutputTarget target, ProgressBar bar) throws IOException {
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
