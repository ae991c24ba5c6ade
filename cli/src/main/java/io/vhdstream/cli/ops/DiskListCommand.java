package io.vhdstream.cli.ops;

import io.vhdstream.cli.VerbCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code vhdstream disk list}: every disk with its size and snapshot count. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"List the disks: size, how many snapshots, the latest, deleted or not. From the layers topic",
            "(disks with at least one snapshot, or deleted), or a layer directory with --layers (every disk)."})
public final class DiskListCommand extends VerbCommand {
    @Mixin
    DiskSourceOptions source;

    @Override
    public Integer call() throws Exception {
        DiskListing.printList(source, DiskListing.load(source), out());
        return 0;
    }
}
