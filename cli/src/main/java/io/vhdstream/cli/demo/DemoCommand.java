package io.vhdstream.cli.demo;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.kafka.KafkaClientOptions;
import io.vhdstream.cli.util.SizeConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** {@code vhdstream demo}: the whole pipeline on an embedded broker (or a given cluster), verified. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole pipeline in this process and verify it.",
            "An embedded Kafka broker (KRaft), the Streams topology materialising a seeded workload into VHD",
            "layers, a Kafka Connect worker with the changed-block source and the replica sink, then checks of",
            "every stage against a model of the disk.",
            "Exit 0 only when every check holds."})
public final class DemoCommand extends VerbCommand {
    @Option(names = "--size", paramLabel = "SIZE", converter = SizeConverter.class, defaultValue = "256M",
            description = "Virtual size of the demo disk (default: ${DEFAULT-VALUE}).")
    long size;

    @Option(names = "--write", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "How much the workload writes (default: the disk size).")
    Long writeVolume;

    @Option(names = "--snapshots", paramLabel = "N", defaultValue = "8",
            description = "Snapshots taken over the run, evenly spaced among the writes: exactly N, whatever the write"
                    + " volume (default: ${DEFAULT-VALUE}).")
    int snapshots;

    @Option(names = "--retain", paramLabel = "K", defaultValue = "48",
            description = "Snapshots the topology keeps (vhdstream.retain.snapshots; default: ${DEFAULT-VALUE}). Fewer"
                    + " than --snapshots shows merges into the base happening.")
    int retain;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Workload seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--keep", paramLabel = "DIR",
            description = "Keep the broker data, layers, replica and rebuilt chains in DIR (default: a temp dir, deleted).")
    Path keep;

    @Option(names = "--nbd",
            description = "Write the disk through NBD: 'vhdstream nbd serve' in this process, an image copied in with"
                    + " 'qemu-img convert -n', then 'qemu-io' sessions of writes, zero writes and discards, a snapshot"
                    + " after each; every snapshot is also read back over NBD from the layers, the replica and a rebuild."
                    + " Needs qemu-img, qemu-io (qemu-utils) and nbdcopy (libnbd-bin).")
    boolean nbd;

    /** Any of its options (--bootstrap-servers, --command-config, --set) means: an existing cluster, not the embedded broker. */
    @Mixin
    KafkaClientOptions kafka;

    @Override
    public Integer call() throws Exception {
        io.vhdstream.embedded.demo.DemoOptions options;
        var cluster = kafka.settings().isEmpty() ? null : kafka.clientSettings();
        try {
            options = new io.vhdstream.embedded.demo.DemoOptions(size, writeVolume != null ? writeVolume : size, snapshots,
                    seed, keep, cluster, terminal().interactive(), retain);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("INVALID_ARGUMENT", e.getMessage());
        }
        if (!nbd) {
            return io.vhdstream.embedded.demo.Demo.run(options, out()) ? 0 : 1;
        }
        List<String> missing = NbdDemoWriter.missingTools();
        if (!missing.isEmpty()) {
            throw CliException.usage("MISSING_TOOL", "demo --nbd needs " + String.join(", ", missing)
                    + " on PATH (./run-tests installs them)");
        }
        return io.vhdstream.embedded.demo.Demo.run(options, new NbdDemoWriter(), out()) ? 0 : 1;
    }
}
