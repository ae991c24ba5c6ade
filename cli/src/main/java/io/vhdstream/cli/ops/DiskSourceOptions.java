package io.vhdstream.cli.ops;

import io.vhdstream.cli.kafka.KafkaClientOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where {@code disk list} and {@code disk show} look: a layer directory, or else the layers topic. */
public final class DiskSourceOptions {
    @Option(names = "--layers", paramLabel = "DIR",
            description = "Read a layer directory (vhdstream.layers.dir) instead of the layers topic.")
    Path layers;

    @Option(names = "--layers-topic", paramLabel = "TOPIC", defaultValue = "vhdstream-layers",
            description = "Layers topic (default: ${DEFAULT-VALUE}).")
    String layersTopic;

    @Mixin
    KafkaClientOptions kafka;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;
}
