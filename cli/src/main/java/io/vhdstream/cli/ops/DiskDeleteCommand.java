package io.vhdstream.cli.ops;

import io.vhdstream.cli.VerbCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vhdstream disk delete}: one DeleteDisk command. */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = {"Send a DeleteDisk command: the topology removes the disk's layer files and keeps a tombstone;",
            "later commands for the disk are rejected."})
public final class DiskDeleteCommand extends VerbCommand {
    @Mixin
    DiskSendOptions send;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (kept in the tombstone and the DiskDeleted event).")
    String reason;

    @Override
    public Integer call() throws Exception {
        return DiskSend.send(send, io.vhdstream.topology.produce.DiskCommands.delete(send.disk, reason), "", out());
    }
}
