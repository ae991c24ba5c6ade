package io.vhdstream.cli.demo;

import io.vhdstream.cli.VerbCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** {@code vhdstream broker}: the embedded Kafka broker alone, until interrupted. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Start the embedded single-node Kafka broker (KRaft).",
            "It keeps running until Ctrl-C, for trying the other commands by hand. Data persists in --dir",
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
        var broker = io.vhdstream.embedded.EmbeddedBroker.start(dir, port);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stop.countDown();
        }));
        out().println("Kafka broker on " + broker.bootstrapServers() + " (data in " + dir.toAbsolutePath() + "); Ctrl-C stops it");
        out().flush();
        stop.await();
        return 0;
    }
}
