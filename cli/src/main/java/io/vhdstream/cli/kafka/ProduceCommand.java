package io.vhdstream.cli.kafka;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.SizeConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code vhdstream produce workload|diff}: send write events to the command topic. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Send write events (DiskCommand records) to the command topic.",
        subcommands = {ProduceCommand.Workload.class, ProduceCommand.Diff.class})
public final class ProduceCommand extends VerbCommand {
    @Override
    public Integer call() {
        throw CliException.usage("USAGE", "missing subcommand: workload or diff (see 'vhdstream produce --help')");
    }

    /** Options every producing subcommand shares. */
    abstract static class Producing extends VerbCommand {
        @Mixin
        KafkaClientOptions kafka;

        @Mixin
        CommandTopicOptions topic;

        @Option(names = "--disk", required = true, paramLabel = "ID", description = "Disk id (the record key).")
        String disk;
    }

    @Command(name = "workload", mixinStandardHelpOptions = true,
            description = {"A seeded synthetic workload: CreateDisk, then random and sequential writes, a few trims,",
                "and a Snapshot every --snapshot-every bytes written (and one at the end)."})
    static final class Workload extends Producing {
        @Option(names = "--size", paramLabel = "SIZE", converter = SizeConverter.class, defaultValue = "256M",
                description = "Virtual disk size (default: ${DEFAULT-VALUE}).")
        long size;

        @Option(names = "--write", paramLabel = "SIZE", converter = SizeConverter.class,
                description = "Total bytes to write (default: the disk size).")
        Long total;

        @Option(names = "--write-size", paramLabel = "SIZE", converter = SizeConverter.class, defaultValue = "64K",
                description = "Bytes per Write command, at most 512K (default: ${DEFAULT-VALUE}).")
        long writeSize;

        @Option(names = "--snapshot-every", paramLabel = "SIZE", converter = SizeConverter.class, defaultValue = "32M",
                description = "A Snapshot after this many bytes written (default: ${DEFAULT-VALUE}).")
        long snapshotEvery;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--append", description = {"Add the workload to a disk that exists (no CreateDisk). Without it,",
            "a disk the layers topic knows is refused (DISK_EXISTS)."})
        boolean append;

        @Option(names = "--snapshot-prefix", paramLabel = "PREFIX", defaultValue = "s",
                description = "Snapshot ids are PREFIX1, PREFIX2, ... (default: ${DEFAULT-VALUE}).")
        String snapshotPrefix;

        @Option(names = "--layers-topic", paramLabel = "TOPIC", defaultValue = "vhdstream-layers",
                description = "Where existing disks are looked up (default: ${DEFAULT-VALUE}).")
        String layersTopic;

        @Override
        public Integer call() throws Exception {
            io.vhdstream.topology.produce.WorkloadSpec spec;
            try {
                spec = io.vhdstream.topology.produce.WorkloadSpec.of(disk, size, total != null ? total : size,
                        Math.toIntExact(writeSize), snapshotEvery, seed).withSnapshotPrefix(snapshotPrefix);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw CliException.usage("INVALID_ARGUMENT", e.getMessage());
            }
            try (var p = CommandLog.producer(WorkloadGuard.check(kafka, topic.topic, layersTopic, disk, append, snapshotPrefix),
                    topic.topic)) {
                var sent = new WorkloadCommands(io.vhdstream.topology.produce.Workloads.commands(spec), append);
                long n = p.sendAll(sent);
                out().println("sent " + n + " commands (" + p.dataBytes() + " bytes of data) for disk " + disk + " to "
                        + topic.topic + "; snapshots " + String.join(", ", sent.snapshotIds()));
            }
            return 0;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "The Writes that make a disk (whose current chain top is --chain) read like a raw image.")
    static final class Diff extends Producing {
        @Option(names = "--raw", required = true, paramLabel = "FILE", description = "The raw image the disk should become.")
        Path raw;

        @Option(names = "--chain", required = true, paramLabel = "VHD", description = "The disk's current chain top.")
        Path chain;

        @Override
        public Integer call() throws Exception {
            java.util.List<io.vhdstream.schemas.command.DiskCommand> writes;
            try {
                writes = io.vhdstream.topology.produce.Workloads.differences(disk, raw, chain,
                        io.vhdstream.schemas.Limits.MAX_WRITE_BYTES);
            } catch (IllegalArgumentException e) {
                throw CliException.usage("INVALID_ARGUMENT", e.getMessage());
            }
            try (var p = CommandLog.producer(kafka, topic.topic)) {
                long n = p.sendAll(writes.iterator());
                out().println("sent " + n + " Write commands (" + p.dataBytes() + " bytes) for disk " + disk + " to " + topic.topic);
            }
            return 0;
        }
    }
}
