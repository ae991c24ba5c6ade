package io.vhdstream.cli.ops;

import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.kafka.KafkaClientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** {@code vhdstream dead-letters}: the commands the topology rejected, and why. */
@Command(name = "dead-letters", mixinStandardHelpOptions = true,
        description = {"Print the dead letters: every command the topology rejected, with the reason code, the message",
            "and where the command was (topic, partition, offset). Reads from the first; --follow waits for new ones",
            "until stopped (SIGTERM or Ctrl-C, exit 0)."})
public final class DeadLettersCommand extends VerbCommand {
    @Mixin
    KafkaClientOptions kafka;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "vhdstream-dead-letters",
            description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--disk", paramLabel = "ID", description = "Only this disk's.")
    String disk;

    @Option(names = "--reason", paramLabel = "CODE", split = ",",
            description = "Only these reason codes (e.g. DISK_EXISTS,UNKNOWN_DISK; case-insensitive).")
    List<String> reasons = new ArrayList<>();

    @Option(names = "--follow", description = "Keep waiting for new dead letters until stopped.")
    boolean follow;

    @Option(names = "--max-messages", paramLabel = "N", description = "Stop after N matching dead letters.")
    Long max;

    @Option(names = "--json", description = "One JSON document per dead letter (JSON Lines).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (max != null && max < 1) {
            throw io.vhdstream.cli.CliException.usage("INVALID_ARGUMENT", "--max-messages must be at least 1, was " + max);
        }
        DeadLettersRun.Filter filter = new DeadLettersRun.Filter(disk, reasons, max == null ? Long.MAX_VALUE : max);
        long n = DeadLettersRun.run(kafka, topic, filter, follow, json, out());
        if (!json) {
            err().println("vhdstream dead-letters: " + n + " dead letter" + (n == 1 ? "" : "s") + " in " + topic);
            err().flush();
        }
        return 0;
    }
}
