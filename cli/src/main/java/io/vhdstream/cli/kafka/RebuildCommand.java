package io.vhdstream.cli.kafka;

import io.vhdstream.cli.VerbCommand;
import io.vhdstream.topology.rebuild.RebuildPoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code vhdstream rebuild --disk ID (--until SNAPSHOT_ID | --at OFFSET|TIME) --out DIR [--flat FILE.raw]}. */
@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = {"Rebuild a disk at a snapshot, or at any point in time, by replaying the command log.",
            "Replays the command topic from the start into a fresh VHD chain (and optionally a flat raw",
            "image) of one disk, stopping at a snapshot (--until) or after the disk's last command at or",
            "before an input offset or time (--at): event-sourced rebuilding. Points older than the",
            "retained window (merged into the base, as the layers topic says) are OUT_OF_RANGE; an unknown",
            "snapshot is NOT_FOUND and the known ones are listed. On failure --out is left as it was."})
public final class RebuildCommand extends VerbCommand {
    @Mixin
    KafkaClientOptions kafka;

    @Mixin
    CommandTopicOptions topic;

    @Option(names = "--disk", required = true, paramLabel = "ID", description = "Disk id.")
    String disk;

    @Option(names = "--until", paramLabel = "SNAPSHOT_ID", description = "Stop at this snapshot.")
    String until;

    @Option(names = "--at", paramLabel = "OFFSET|TIME", description = "Stop after the disk's last command at or before"
            + " this input offset (digits) or record time (ISO-8601, e.g. 2026-12-02T10:15:00Z): the disk as that"
            + " command left it, crash-consistent.")
    String at;

    @Option(names = "--layers-topic", paramLabel = "TOPIC", defaultValue = "vhdstream-layers",
            description = "Layers topic, read for the retained window (default: ${DEFAULT-VALUE}).")
    String layersTopic;

    @Option(names = "--checkpoints-topic", paramLabel = "TOPIC", defaultValue = "vhdstream-checkpoints",
            description = "Checkpoint topic: where the rebuild of a disk whose first commands retention deleted starts"
                    + " (default: ${DEFAULT-VALUE}).")
    String checkpointsTopic;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the chain (new or empty).")
    Path out;

    @Option(names = "--flat", paramLabel = "FILE.raw", description = "Also write the disk at the snapshot as a raw image"
            + " (renamed into place when complete; an existing file only with --force).")
    Path flat;

    @Option(names = {"-f", "--force"}, description = "Replace the --flat file if it exists.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        if (flat != null) {
            // Refused before Kafka is contacted and minutes of replay; the flat image itself is written atomically.
            io.vhdstream.vhd.io.AtomicOutput.requireWritable(flat, force);
        }
        if ((until == null) == (at == null)) {
            throw io.vhdstream.cli.CliException.usage("USAGE", "give exactly one of --until SNAPSHOT_ID and --at OFFSET|TIME");
        }
        RebuildPoint point;
        try {
            point = until != null ? new RebuildPoint.AtSnapshot(until) : RebuildPoint.parseAt(at);
        } catch (IllegalArgumentException e) {
            throw io.vhdstream.cli.CliException.usage("USAGE", "--at: " + e.getMessage());
        }
        var req = CommandLog.rebuildRequest(kafka, topic.topic, disk, until == null ? "-" : until, out)
                .withPoint(point).withLayersTopic(layersTopic)
                .withCheckpointsTopic(checkpointsTopic);
        if (flat != null) {
            req = req.withFlat(flat);
        }
        var r = io.vhdstream.topology.rebuild.Rebuilder.rebuild(req);
        out().println("rebuilt disk " + disk + " at " + point + ": " + r.layers().size() + " sealed layers, top " + r.top()
                + (flat != null ? ", flat image " + flat : "") + " (" + r.recordsRead() + " records read)");
        return 0;
    }
}
