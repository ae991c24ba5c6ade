package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.SizeConverter;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.header.DynamicHeader;
import io.vhdstream.cli.ProgressOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;

/** {@code vhdstream vhd create FILE --size SIZE [--type fixed|dynamic] [--block-size SIZE]}. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create a new, empty fixed or dynamic VHD image. FILE must not exist.")
public final class CreateCommand extends VerbCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The image to create.")
    Path file;

    @Option(names = "--size", required = true, paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Virtual disk size: bytes or K, M, G, T (binary), a multiple of 512, at most 2040G.")
    long size;

    @Option(names = "--type", paramLabel = "fixed|dynamic", converter = NewImageType.Converter.class,
            defaultValue = "dynamic", description = "Image type (default: ${DEFAULT-VALUE}).")
    NewImageType type;

    @Option(names = "--block-size", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Block size of a dynamic image: a power of two from 512 to 1G (default: 2M).")
    Long blockSize;

    @Mixin
    ProgressOptions progressOptions;

    @Override
    public Integer call() throws IOException {
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
