package io.vhdstream.cli.ops;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.kafka.KafkaClientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code vhdstream topics create|check}: the pipeline's topics, made or verified with their settings. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = {"Create or check every topic of the pipeline: the topology's (commands, layers, dead letters),",
            "the connectors' (blocks, source errors, the sink's dead-letter queue) and, with --connect, Kafka Connect's",
            "own. Names and settings are those of config/topics.properties (built in; --file for an edited copy)."},
        subcommands = {TopicsCommand.Create.class, TopicsCommand.Check.class})
public final class TopicsCommand extends VerbCommand {
    @Override
    public Integer call() {
        throw CliException.usage("USAGE", "missing subcommand: create or check (see 'vhdstream topics --help')");
    }

    /** Options both subcommands take. */
    abstract static class Base extends VerbCommand {
        @Mixin
        KafkaClientOptions kafka;

        @Option(names = "--file", paramLabel = "FILE",
                description = "Topic names and settings as in config/topics.properties (default: that file's built-in content).")
        Path file;

        @Option(names = "--connect", description = "Include Kafka Connect's internal topics (configs, offsets, status).")
        boolean connect;

        @Option(names = "--json", description = "Print one JSON document: every topic with its status and findings.")
        boolean json;

        /** Runs the subcommand: {@code create} makes the missing topics first. */
        Integer run(boolean create, Integer partitions, Short replicationFactor) throws Exception {
            TopicsRun.Result r = TopicsRun.run(kafka, file, connect, create, partitions, replicationFactor);
            return TopicsRun.print(r, json, out());
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Verify that every topic exists with the settings it needs; explains each difference.",
                "Exit 0 when nothing is wrong (warnings are printed), 1 when a topic is missing or would break the pipeline."})
    static final class Check extends Base {
        @Override
        public Integer call() throws Exception {
            return run(false, null, null);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create the missing topics with their settings, then check all of them (existing topics are",
                "never changed). Exit status as for 'topics check'."})
    static final class Create extends Base {
        @Option(names = "--partitions", paramLabel = "N",
                description = "Partitions of the commands, layers, dead-letters and blocks topics (default: the settings').")
        Integer partitions;

        @Option(names = "--replication-factor", paramLabel = "N",
                description = "Replication factor of every topic created (default: the settings', -1 = the broker's).")
        Short replicationFactor;

        @Override
        public Integer call() throws Exception {
            if (partitions != null && partitions < 1) {
                throw CliException.usage("INVALID_ARGUMENT", "--partitions must be at least 1, was " + partitions);
            }
            if (replicationFactor != null && replicationFactor < 1 && replicationFactor != -1) {
                throw CliException.usage("INVALID_ARGUMENT", "--replication-factor must be -1 or at least 1, was "
                        + replicationFactor);
            }
            return run(true, partitions, replicationFactor);
        }
    }
}
