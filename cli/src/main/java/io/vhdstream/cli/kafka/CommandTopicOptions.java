package io.vhdstream.cli.kafka;

import picocli.CommandLine.Option;

/** Where the command log lives: shared by every verb that produces to or replays it. */
public final class CommandTopicOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9092",
            description = "Kafka cluster (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "vhdstream-commands",
            description = "Command topic (default: ${DEFAULT-VALUE}).")
    String topic;
}
