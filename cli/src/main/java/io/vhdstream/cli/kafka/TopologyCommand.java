package io.vhdstream.cli.kafka;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.VerbCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code vhdstream topology --config FILE}: the Streams application against any Kafka cluster. */
@Command(name = "topology", mixinStandardHelpOptions = true,
        description = {"Run the Streams application that turns write events into VHD layers.",
            "It runs until stopped (Ctrl-C or SIGTERM closes it cleanly and leaves the consumer group).",
            "See config/topology.properties."})
public final class TopologyCommand extends VerbCommand {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "Topology and Streams properties.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one property (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(config)) {
            throw CliException.usage("USAGE", "no such config file: " + config);
        }
        java.util.Properties props = io.vhdstream.topology.config.TopologyConfig.load(config);
        props.putAll(overrides);
        // One line per state change: scripts and operators see when the instance is RUNNING (recovered, processing).
        var app = io.vhdstream.topology.app.TopologyApp.start(props, (now, before) -> {
            out().println("topology " + now);
            out().flush();
        });
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "vhdstream-topology-shutdown"));
        out().println("topology started (application.id " + app.config().streamsProperties().getProperty("application.id")
                + ", layers in " + app.config().layersDir() + "); Ctrl-C stops it");
        out().flush();
        app.awaitStopped();
        if (app.failure().isPresent()) {
            throw new java.io.IOException("the topology failed: " + app.failure().get().getMessage(), app.failure().get());
        }
        return 0;
    }
}
