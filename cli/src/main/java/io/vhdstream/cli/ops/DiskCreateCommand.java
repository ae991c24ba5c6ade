package io.vhdstream.cli.ops;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.SizeConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vhdstream disk create}: one CreateDisk command. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Send a CreateDisk command: an empty disk of --size bytes (the topology makes its base.vhd).",
            "A disk that already exists is rejected by the topology (see 'vhdstream dead-letters')."})
public final class DiskCreateCommand extends VerbCommand {
    @Mixin
    DiskSendOptions send;

    @Option(names = "--size", required = true, paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Virtual size (K, M, G, T; a multiple of 512).")
    long size;

    @Option(names = "--block-size", paramLabel = "SIZE", converter = SizeConverter.class, defaultValue = "2M",
            description = "VHD block size (default: ${DEFAULT-VALUE}).")
    long blockSize;

    @Override
    public Integer call() throws Exception {
        if (size <= 0 || size % 512 != 0) {
            throw CliException.usage("INVALID_ARGUMENT", "--size must be a positive multiple of 512, was " + size);
        }
        if (blockSize <= 0 || blockSize > Integer.MAX_VALUE || Long.bitCount(blockSize) != 1) {
            throw CliException.usage("INVALID_ARGUMENT", "--block-size must be a power of two, was " + blockSize);
        }
        return DiskSend.send(send, io.vhdstream.topology.produce.DiskCommands.create(send.disk, size, (int) blockSize),
                "(" + size + " bytes) ", out());
    }
}
