package io.vhdstream.cli.kafka;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.VerbCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code vhdstream topology --config FILE}: the Streams application against any Kafka cluster. */
@Command(name = "topology", mixinStandardHelpOptions = true,
        description = {"Run the Streams application that turns write events into VHD layers.",
            "It checks the cluster and the topics first, then runs until stopped (SIGTERM or Ctrl-C closes it cleanly",
            "and exits 0; a static member, the default, stays in the consumer group so that a restart takes its tasks",
            "back at once). See config/topology.properties."})
public final class TopologyCommand extends VerbCommand {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "Topology and Streams properties.")
    Path config;

    /** Client settings (TLS, SASL) over the file's; its --set takes any topology or Streams property too. */
    @Mixin
    KafkaClientOptions kafka;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(config)) {
            throw CliException.usage("USAGE", "no such config file: " + config);
        }
        var props = io.vhdstream.topology.config.TopologyConfig.load(config);
        props.putAll(kafka.settings());
        TopologyRun.run(props, out());
        return 0;
    }
}
