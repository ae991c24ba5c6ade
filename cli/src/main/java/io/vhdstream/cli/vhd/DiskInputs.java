package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.convert.ContainerFormat;
import io.vhdstream.vhd.convert.DiskSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Opens a verb's input disk: a VHD through its chain, or a raw file; other containers are refused. */
final class DiskInputs {
    private DiskInputs() {
    }

    static DiskSource open(Path file, boolean forceRaw, ChainOptionsMixin chain) throws IOException {
        return DiskSource.open(file, forceRaw || format(file) == ContainerFormat.RAW, chain.forImage(file));
    }

    static DiskSource open(Path file, boolean forceRaw, ChainOptions options) throws IOException {
        return DiskSource.open(file, forceRaw || format(file) == ContainerFormat.RAW, options);
    }

    static ContainerFormat format(Path file) throws IOException {
        ContainerFormat f;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            f = ContainerFormat.probe(ch);
        }
        if (f != ContainerFormat.RAW && f != ContainerFormat.VHD) {
            throw CliException.failure(ProblemCode.NOT_RAW.name(), file + " is a " + f.displayName()
                    + " image; vhdstream reads VHD and raw disks (convert it with qemu-img first)");
        }
        return f;
    }
}
