package io.vhdstream.cli.demo;

import io.vhdstream.cli.VerbCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** {@code vhdstream broker}: the embedded Kafka broker alone, until interrupted. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Start the embedded single-node Kafka broker (KRaft).",
            "It keeps running until SIGTERM or Ctrl-C (exit 0), for trying the other commands by hand. Data persists in --dir",
            "across restarts."})
public final class BrokerCommand extends VerbCommand {
    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "vhdstream-broker",
            description = "Broker data directory (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "9092",
            description = "Client port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Override
    public Integer call() throws Exception {
        // A service stop (SIGTERM) or Ctrl-C closes the broker cleanly and exits 0, not 143.
        CountDownLatch stop = io.vhdstream.cli.StopSignals.install();
        var broker = io.vhdstream.embedded.EmbeddedBroker.start(dir, port);
        out().println("Kafka broker on " + broker.bootstrapServers() + " (data in " + dir.toAbsolutePath()
                + "); SIGTERM or Ctrl-C stops it");
        out().flush();
        stop.await();
        broker.close();
        out().println("broker stopped");
        out().flush();
        return 0;
    }
}
