package io.vhdstream.cli.demo;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.DurationConverter;
import io.vhdstream.cli.util.SizeConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;

/** {@code vhdstream soak}: the pipeline for a long time under SIGKILLs, with a table over time and a final verification. */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Run the pipeline for a long time, killing its services, and verify it.",
            "An embedded Kafka broker (KRaft) in this process; the topology and a distributed Connect worker (source and",
            "replica sink) in child JVMs, each killed with SIGKILL and restarted at random. Steady writes and snapshots",
            "to each disk, with a small retention so that merges happen all the time. Prints a row every --report-every:",
            "snapshots sent, sealed and replicated, merges, chain depth, layer and replica directory sizes, heap after a",
            "full GC of the topology, the worker and this JVM, kills and recovery times, load average. Then verifies every",
            "retained snapshot (chain, replica, rebuild from the log) and rebuilds at random points against a model.",
            "Exit 0 only when every check holds."})
public final class SoakCommand extends VerbCommand {
    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "30m",
            description = "How long to write (default: ${DEFAULT-VALUE}); catching up and verifying come after.")
    Duration duration;

    @Option(names = "--disks", paramLabel = "K", defaultValue = "2", description = "Disks written (default: ${DEFAULT-VALUE}).")
    int disks;

    @Option(names = "--size", paramLabel = "SIZE", converter = SizeConverter.class, defaultValue = "64M",
            description = "Virtual size of each disk (default: ${DEFAULT-VALUE}).")
    long size;

    @Option(names = "--rate", paramLabel = "SIZE", converter = SizeConverter.class, defaultValue = "1M",
            description = "Bytes written a second, over all disks, in 64 KiB writes (default: ${DEFAULT-VALUE}).")
    long rate;

    @Option(names = "--snapshot-every", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "15s",
            description = "A snapshot of every disk this often (default: ${DEFAULT-VALUE}).")
    Duration snapshotEvery;

    @Option(names = "--retain", paramLabel = "K", defaultValue = "8",
            description = "Snapshots the topology keeps (vhdstream.retain.snapshots; default: ${DEFAULT-VALUE}).")
    int retain;

    @Option(names = "--kill-every", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "90s",
            description = "Mean time between kills, each of the topology or the worker at random; 0s: none"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration killEvery;

    @Option(names = "--outage-every", paramLabel = "N", defaultValue = "3",
            description = "Every N-th kill of the Connect worker keeps it down for the retention window and two snapshots"
                    + " more, so that retention merges layers its feed had not sent and the disk resyncs; 0: never"
                    + " (default: ${DEFAULT-VALUE}).")
    int outageEvery;

    @Option(names = "--report-every", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "2m",
            description = "A table row this often (default: ${DEFAULT-VALUE}).")
    Duration reportEvery;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Workload and kill seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--keep", paramLabel = "DIR",
            description = "Keep the broker data, layers, replica and logs in DIR (default: a temp dir, deleted after a pass).")
    Path keep;

    @Override
    public Integer call() throws Exception {
        io.vhdstream.embedded.demo.SoakOptions options;
        try {
            options = new io.vhdstream.embedded.demo.SoakOptions(duration, seed, disks, size, retain, rate, snapshotEvery,
                    killEvery, outageEvery, reportEvery, keep);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("INVALID_ARGUMENT", e.getMessage());
        }
        return io.vhdstream.embedded.demo.Soak.run(options, out()) ? 0 : 1;
    }
}
