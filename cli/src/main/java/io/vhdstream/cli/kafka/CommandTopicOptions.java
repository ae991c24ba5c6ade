package io.vhdstream.cli.kafka;

import picocli.CommandLine.Option;

/** Which topic holds the command log: shared by every verb that produces to or replays it. */
public final class CommandTopicOptions {
    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "vhdstream-commands",
            description = "Command topic (default: ${DEFAULT-VALUE}).")
    String topic;

    public String topic() {
        return topic;
    }
}
