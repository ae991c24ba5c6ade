package io.vhdstream.cli.ops;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.VerbCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vhdstream disk snapshot}: one Snapshot command. */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = {"Send a Snapshot command: the topology seals the disk's active layer as snapshot --id",
            "(see it with 'vhdstream disk show')."})
public final class DiskSnapshotCommand extends VerbCommand {
    @Mixin
    DiskSendOptions send;

    @Option(names = "--id", required = true, paramLabel = "SNAPSHOT", description = "Snapshot id (unique per disk).")
    String id;

    @Option(names = "--label", paramLabel = "TEXT", description = "Free text kept with the snapshot.")
    String label;

    @Override
    public Integer call() throws Exception {
        String problem = io.vhdstream.topology.disk.LayerNames.snapshotIdProblem(id);
        if (problem != null) {
            throw CliException.usage("INVALID_ARGUMENT", problem);
        }
        return DiskSend.send(send, io.vhdstream.topology.produce.DiskCommands.snapshot(send.disk, id, label),
                id + " ", out());
    }
}
