package io.vhdstream.cli.ops;

import io.vhdstream.cli.kafka.CommandTopicOptions;
import io.vhdstream.cli.kafka.KafkaClientOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What every verb that sends one command takes: the cluster, the command topic, the disk, --json. */
public final class DiskSendOptions {
    @Mixin
    KafkaClientOptions kafka;

    @Mixin
    CommandTopicOptions topic;

    @Option(names = "--disk", required = true, paramLabel = "ID", description = "Disk id (the record key).")
    String disk;

    @Option(names = "--json", description = "Print {\"disk\",\"command\",\"topic\",\"partition\",\"offset\"} of the record sent.")
    boolean json;
}
