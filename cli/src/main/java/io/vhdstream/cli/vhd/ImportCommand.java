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
import io.vhdstream.vhd.convert.ContainerFormat;
import io.vhdstream.vhd.convert.Importer;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.header.DynamicHeader;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.AtomicOutput;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code vhdstream vhd import RAW_IN FILE [--type fixed|dynamic] [--parent VHD]}. All-zero sectors are
 * skipped; with {@code --parent}, only the sectors that differ from the parent's content are stored (RAW_IN
 * may be stdin then too: it is compared with the parent front to back). FILE appears only when the import is
 * complete. Its model is written in code ({@link CodedCommand}): an import of a sparse disk is mostly start-up.
 */
public final class ImportCommand extends VerbCommand implements CodedCommand {
    private Models.Value<Path> rawIn;
    private Models.Value<Path> file;
    private Models.Value<NewImageType> type;
    private Models.Value<Long> blockSize;
    private Models.Value<Path> parent;
    private Models.Value<Long> size;
    private Models.Value<String> format;
    private Models.Value<Boolean> force;
    private ChainOptionsMixin chainOptions;
    private ProgressOptions progressOptions;

    @Override
    public CommandSpec model() {
        spec = Models.command(this, "import",
                "Make a new VHD image FILE from a raw disk file RAW_IN (- for stdin, with --size).",
                "All-zero sectors are not stored. With --parent, FILE becomes a differencing child of VHD holding only the"
                        + " sectors where RAW_IN differs from VHD's content (read through VHD's chain; --allow-root and"
                        + " --lenient apply to it).",
                "FILE is written under a temporary name and renamed when complete; an existing FILE is refused without"
                        + " --force. A RAW_IN that is a VHD, VHDX, qcow2, VMDK or VDI image is refused (convert a VHD with"
                        + " 'vhdstream vhd convert'); --format raw imports its bytes as they are.");
        rawIn = Models.positional(spec, "0", "RAW_IN", Path.class, "The raw disk file, a whole number of sectors; - for stdin.");
        file = Models.positional(spec, "1", "FILE", Path.class, "The image to create.");
        type = Models.option(spec, "--type", "fixed|dynamic", NewImageType.class, new NewImageType.Converter(),
                "Image type without --parent (default: dynamic).");
        blockSize = Models.option(spec, "--block-size", "SIZE", Long.class, new SizeConverter(),
                "Block size of a dynamic image (default: 2M).");
        parent = Models.option(spec, "--parent", "VHD", Path.class, null, "Make FILE a differencing child of VHD.");
        size = Models.option(spec, "--size", "SIZE", Long.class, new SizeConverter(),
                "The disk size when RAW_IN is - (stdin must carry exactly that many bytes); with --parent"
                        + " it defaults to the parent's size (and must equal it).");
        format = Models.option(spec, "--format", "raw", String.class, null,
                "'raw': take RAW_IN as a raw disk even when it carries an image container's signature.");
        force = Models.flag(spec, new String[] {"-f", "--force"}, "Replace FILE if it exists.");
        chainOptions = ChainOptionsMixin.declareOn(spec);
        progressOptions = ProgressOptions.declareOn(spec);
        return spec;
    }

    @Override
    public Integer call() throws IOException {
        Path rawIn = this.rawIn.value();
        Path file = this.file.value();
        NewImageType type = this.type.value();
        Long blockSize = this.blockSize.value();
        Path parent = this.parent.value();
        Long size = this.size.value();
        String format = this.format.value();
        boolean force = this.force.value();
        if (parent != null && type != null) {
            throw usage("--type and --parent exclude each other: a child of --parent is always differencing");
        }
        if (parent != null && blockSize != null) {
            throw usage("--block-size does not apply with --parent: the child takes its parent's block size");
        }
        if (format != null && !format.equals("raw")) {
            throw usage("--format takes only 'raw' (the input of import is a raw disk)");
        }
        NewImageType t = type != null ? type : NewImageType.DYNAMIC;
        if (t == NewImageType.FIXED && blockSize != null) {
            throw usage("--block-size applies only to --type dynamic");
        }
        boolean stdin = OutputTarget.isStdin(rawIn);
        if (stdin && size == null && parent == null) {
            throw usage("importing from stdin needs --size (the image's size is written before the data)");
        }
        if (!stdin && size != null) {
            throw usage("--size applies only to RAW_IN - (a file's size is the disk's)");
        }
        AtomicOutput.requireWritable(file, force);
        if (!stdin) {
            requireRaw(rawIn, file, format);
        }
        long bs = blockSize != null ? blockSize : DynamicHeader.DEFAULT_BLOCK_SIZE;
        try (ProgressBar bar = progress(progressOptions, "import")) {
            if (stdin && parent != null) {
                Importer.importDiff(Channels.newChannel(terminal().in()), "stdin", size, file, parent,
                        chainOptions.forImage(parent), force, bar);
            } else if (stdin) {
                Importer.importRaw(Channels.newChannel(terminal().in()), "stdin", size, file, t.diskType(), bs, force, bar);
            } else if (parent != null) {
                Importer.importDiff(rawIn, file, parent, chainOptions.forImage(parent), force, bar);
            } else {
                Importer.importRaw(rawIn, file, t.diskType(), bs, force, bar);
            }
        }
        long stored;
        try (VhdImage img = VhdImage.open(file)) {
            stored = img.presentExtents().stream().mapToLong(Extent::length).sum();
            String what = parent != null ? "differencing child of " + parent + ", " + Sizes.withHuman(stored) + " differ"
                    : t + ", " + Sizes.withHuman(img.virtualSize()) + (t == NewImageType.FIXED ? "" : ", "
                    + Sizes.withHuman(stored) + " stored");
            summary(progressOptions, "imported " + (stdin ? "stdin" : rawIn) + " into " + file + " (" + what + ")");
        }
        return 0;
    }

    /** Refuses an image container given as a raw disk: its headers would become the guest's first sectors. */
    private static void requireRaw(Path rawIn, Path file, String format) throws IOException {
        if ("raw".equals(format) || !Files.isRegularFile(rawIn)) {
            return;
        }
        ContainerFormat f;
        try (FileChannel ch = FileChannel.open(rawIn, StandardOpenOption.READ)) {
            f = ContainerFormat.probe(ch);
        }
        if (f != ContainerFormat.RAW) {
            throw CliException.failure(ProblemCode.NOT_RAW.name(), rawIn + " is a " + f.displayName()
                    + " image, not a raw disk; nothing was created"
                    + (f == ContainerFormat.VHD ? " (copy a VHD with 'vhdstream vhd convert " + rawIn + " " + file + "')" : "")
                    + " (--format raw imports its bytes as they are)");
        }
    }

    private static CliException usage(String message) {
        return CliException.usage(ProblemCode.INVALID_ARGUMENT.name(), message);
    }
}
