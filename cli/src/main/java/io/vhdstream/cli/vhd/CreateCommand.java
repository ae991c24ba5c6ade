package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.CodedCommand;
import io.vhdstream.cli.Models;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.SizeConverter;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.header.DynamicHeader;
import io.vhdstream.cli.ProgressOptions;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Path;

/** {@code vhdstream vhd create FILE --size SIZE [--type fixed|dynamic] [--block-size SIZE]}. */
public final class CreateCommand extends VerbCommand implements CodedCommand {
    private Models.Value<Path> file;
    private Models.Value<Long> size;
    private Models.Value<NewImageType> type;
    private Models.Value<Long> blockSize;
    private ProgressOptions progressOptions;

    @Override
    public CommandSpec model() {
        spec = Models.command(this, "create", "Create a new, empty fixed or dynamic VHD image. FILE must not exist.");
        file = Models.positional(spec, "0", "FILE", Path.class, "The image to create.");
        size = Models.requiredOption(spec, "--size", "SIZE", Long.class, new SizeConverter(),
                "Virtual disk size: bytes or K, M, G, T (binary), a multiple of 512, at most 2040G.");
        type = Models.option(spec, "--type", "fixed|dynamic", NewImageType.class, new NewImageType.Converter(), "dynamic",
                "Image type (default: ${DEFAULT-VALUE}).");
        blockSize = Models.option(spec, "--block-size", "SIZE", Long.class, new SizeConverter(),
                "Block size of a dynamic image: a power of two from 512 to 1G (default: 2M).");
        progressOptions = ProgressOptions.declareOn(spec);
        return spec;
    }

    @Override
    public Integer call() throws IOException {
        Path file = this.file.value();
        long size = this.size.value();
        NewImageType type = this.type.value();
        Long blockSize = this.blockSize.value();
        if (type == NewImageType.FIXED && blockSize != null) {
            throw CliException.usage(ProblemCode.INVALID_ARGUMENT.name(), "--block-size applies only to --type dynamic");
        }
        if (type == NewImageType.FIXED) {
            VhdCreator.fixed(file, size);
            summary(progressOptions, "created fixed image " + file + ": " + Sizes.withHuman(size));
        } else {
            long bs = blockSize != null ? blockSize : DynamicHeader.DEFAULT_BLOCK_SIZE;
            VhdCreator.dynamic(file, size, bs);
            summary(progressOptions, "created dynamic image " + file + ": " + Sizes.withHuman(size) + ", block size " + Sizes.human(bs));
            if (bs < 4096) {
                err().println("vhdstream: warning: blocks under 4 KiB follow the spec, but QEMU and libvhdi misread them"
                        + " (docs/decisions.md)");
            }
        }
        return 0;
    }
}
