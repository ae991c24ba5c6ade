package io.vhdstream.cli.ops;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.ExitCodes;
import io.vhdstream.cli.json.JsonOutput;
import io.vhdstream.cli.kafka.KafkaClientOptions;
import io.vhdstream.topology.config.ClusterConnection;
import io.vhdstream.topology.config.TopicChecks;
import io.vhdstream.topology.config.TopicFinding;
import io.vhdstream.topology.config.TopicSetup;
import io.vhdstream.topology.config.TopicSpec;
import io.vhdstream.topology.config.TopologyConfig;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The work of {@code vhdstream topics}: which topics (the built-in specs or a file), creating the missing ones,
 * checking all, and printing the outcome. Outside the verb class so that picocli does not load Kafka's classes
 * when it reflects over verbs.
 */
final class TopicsRun {
    /** Roles whose partition count {@code --partitions} sets: the keyed, parallel topics. */
    private static final Set<String> PARTITIONED = Set.of(TopicSetup.COMMANDS, TopicSetup.LAYERS, TopicSetup.DEAD_LETTERS,
            TopicSetup.BLOCKS);

    private TopicsRun() {
    }

    record Result(List<TopicSpec> specs, List<String> created, List<TopicFinding> findings) {
        long errors() {
            return findings.stream().filter(TopicFinding::error).count();
        }
    }

    static Result run(KafkaClientOptions kafka, Path file, boolean connect, boolean create, Integer partitions,
                      Short replicationFactor) throws IOException {
        List<TopicSpec> specs = specs(file, connect, partitions, replicationFactor);
        try (ClusterConnection c = ClusterConnection.open(kafka.clientSettings(), ClusterConnection.COMMAND_WAIT, kafka::progress)) {
            List<String> created = create ? TopicSetup.ensure(c.admin(), specs) : List.of();
            return new Result(specs, created, TopicChecks.check(c.admin(), specs));
        }
    }

    private static List<TopicSpec> specs(Path file, boolean connect, Integer partitions, Short replicationFactor)
            throws IOException {
        List<TopicSpec> all;
        if (file == null) {
            all = TopicSetup.all();
        } else if (!Files.isRegularFile(file)) {
            throw CliException.usage("USAGE", "no such topics file: " + file);
        } else {
            all = TopicSetup.parse(TopologyConfig.load(file));
        }
        List<TopicSpec> out = new ArrayList<>();
        for (TopicSpec s : all) {
            if (TopicSetup.isConnectInternal(s.role()) && !connect) {
                continue;
            }
            out.add(new TopicSpec(s.role(), s.name(),
                    partitions != null && PARTITIONED.contains(s.role()) ? partitions : s.partitions(),
                    replicationFactor != null ? replicationFactor : s.replicationFactor(), s.configs()));
        }
        if (out.isEmpty()) {
            throw CliException.usage("CONFIG", file + " names no topic (<role>.name, roles: " + String.join(", ", TopicSetup.ROLES) + ")");
        }
        return out;
    }

    /** Prints one line per topic (or the JSON document); the exit status, or a TOPICS failure in text mode. */
    static int print(Result r, boolean json, PrintWriter out) {
        if (json) {
            JsonOutput.print(out, TopicsJson.of(r));
            return r.errors() == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
        }
        for (TopicSpec s : r.specs()) {
            List<TopicFinding> mine = r.findings().stream().filter(f -> f.topic().equals(s.name())).toList();
            String head = s.name() + " (" + s.role() + "): " + (r.created().contains(s.name()) ? "created" : "exists");
            if (mine.isEmpty()) {
                out.println(head + ", ok");
            }
            for (TopicFinding f : mine) {
                out.println(f.message().equals(TopicChecks.MISSING) ? s.name() + " (" + s.role() + "): MISSING"
                        : head + ", " + (f.error() ? "ERROR " : "warning ") + f.message());
            }
        }
        out.flush();
        long errors = r.errors();
        if (errors > 0) {
            boolean missing = r.findings().stream().anyMatch(f -> f.message().equals(TopicChecks.MISSING));
            throw CliException.failure("TOPICS", errors + " problem" + (errors == 1 ? "" : "s") + " with the topics above: "
                    + (missing ? "create missing topics with 'vhdstream topics create'; " : "")
                    + "change a topic's settings with kafka-configs.sh --alter --entity-type topics --entity-name TOPIC "
                    + "--add-config KEY=VALUE");
        }
        return ExitCodes.OK;
    }
}
