package io.vhdstream.cli.ops;

import io.vhdstream.cli.VerbCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vhdstream disk show}: one disk's snapshots and layer files. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = {"Show one disk: its snapshots (id, time, label, the layer file that captures it, its size) and",
            "layer files. A snapshot's content is its layer file and every layer below it."})
public final class DiskShowCommand extends VerbCommand {
    @Mixin
    DiskSourceOptions source;

    @Option(names = "--disk", required = true, paramLabel = "ID", description = "Disk id.")
    String disk;

    @Override
    public Integer call() throws Exception {
        var disks = DiskListing.load(source);
        DiskListing.printShow(source, DiskListing.find(disks, disk, DiskListing.source(source)), out());
        return 0;
    }
}
