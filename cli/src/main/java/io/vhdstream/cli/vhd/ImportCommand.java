package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.ProgressBar;
import io.vhdstream.cli.util.SizeConverter;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.convert.Importer;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.header.DynamicHeader;
import io.vhdstream.vhd.image.VhdImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code vhdstream vhd import RAW_IN FILE [--type fixed|dynamic] [--parent VHD]}. All-zero sectors are
 * skipped; with {@code --parent}, only the sectors that differ from the parent's content are stored. FILE is
 * removed again when the import fails.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Make a new VHD image FILE from a raw disk file RAW_IN.",
            "All-zero sectors are not stored. With --parent, FILE becomes a differencing child of VHD holding only the"
                + " sectors where RAW_IN differs from VHD's content (read through VHD's chain; --allow-root and"
                + " --lenient apply to it)."})
public final class ImportCommand extends VerbCommand {
    @Parameters(index = "0", paramLabel = "RAW_IN", description = "The raw disk file, a whole number of sectors.")
    Path rawIn;

    @Parameters(index = "1", paramLabel = "FILE", description = "The image to create (must not exist).")
    Path file;

    @Option(names = "--type", paramLabel = "fixed|dynamic", converter = NewImageType.Converter.class,
            description = "Image type without --parent (default: dynamic).")
    NewImageType type;

    @Option(names = "--block-size", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Block size of a dynamic image (default: 2M).")
    Long blockSize;

    @Option(names = "--parent", paramLabel = "VHD", description = "Make FILE a differencing child of VHD.")
    Path parent;

    @Mixin
    ChainOptionsMixin chainOptions;

    @Override
    public Integer call() throws IOException {
        if (parent != null && type != null) {
            throw usage("--type and --parent exclude each other: a child of --parent is always differencing");
        }
        if (parent != null && blockSize != null) {
            throw usage("--block-size does not apply with --parent: the child takes its parent's block size");
        }
        NewImageType t = type != null ? type : NewImageType.DYNAMIC;
        if (t == NewImageType.FIXED && blockSize != null) {
            throw usage("--block-size applies only to --type dynamic");
        }
        // The engine deletes an image it created when the import fails.
        try (ProgressBar bar = progress("import")) {
            if (parent != null) {
                Importer.importDiff(rawIn, file, parent, chainOptions.forImage(parent), bar);
            } else {
                Importer.importRaw(rawIn, file, t.diskType(), blockSize != null ? blockSize : DynamicHeader.DEFAULT_BLOCK_SIZE, bar);
            }
        }
        long stored;
        try (VhdImage img = VhdImage.open(file)) {
            stored = img.presentExtents().stream().mapToLong(Extent::length).sum();
            String what = parent != null ? "differencing child of " + parent + ", " + Sizes.withHuman(stored) + " differ"
                    : t + ", " + Sizes.withHuman(img.virtualSize()) + (t == NewImageType.FIXED ? "" : ", "
                    + Sizes.withHuman(stored) + " stored");
            out().println("imported " + rawIn + " into " + file + " (" + what + ")");
        }
        return 0;
    }

    private static CliException usage(String message) {
        return CliException.usage(ProblemCode.INVALID_ARGUMENT.name(), message);
    }
}
