package io.vhdstream.cli.kafka;

import io.vhdstream.cli.VerbCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code vhdstream rebuild --disk ID --until SNAPSHOT_ID --out DIR [--flat FILE.raw]}. */
@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = {"Rebuild a disk at a snapshot by replaying the command log.",
            "Replays the command topic from the start into a fresh VHD chain (and optionally a flat raw",
            "image) of one disk, stopping at a snapshot: event-sourced snapshot rebuilding."})
public final class RebuildCommand extends VerbCommand {
    @Mixin
    KafkaClientOptions kafka;

    @Mixin
    CommandTopicOptions topic;

    @Option(names = "--disk", required = true, paramLabel = "ID", description = "Disk id.")
    String disk;

    @Option(names = "--until", required = true, paramLabel = "SNAPSHOT_ID", description = "Stop at this snapshot.")
    String until;

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
        var req = CommandLog.rebuildRequest(kafka, topic.topic, disk, until, out);
        if (flat != null) {
            req = req.withFlat(flat);
        }
        var r = io.vhdstream.topology.rebuild.Rebuilder.rebuild(req);
        out().println("rebuilt disk " + disk + " at snapshot " + until + ": " + r.layers().size() + " layers, top " + r.top()
                + (flat != null ? ", flat image " + flat : "") + " (" + r.recordsRead() + " records read)");
        return 0;
    }
}
