package io.vhdstream.cli.kafka;

import io.vhdstream.cli.StopSignals;
import io.vhdstream.topology.app.TopologyApp;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * {@code vhdstream topology} as a service: start (configuration, cluster and topics checked first), print each
 * state change ({@code topology RUNNING}), stop cleanly on SIGTERM or SIGINT and return normally (exit 0); a failure of the application is
 * thrown. Outside the verb class so that picocli does not load Kafka Streams when it reflects over verbs.
 */
final class TopologyRun {
    private TopologyRun() {
    }

    static void run(Properties props, PrintWriter out) throws IOException, InterruptedException {
        CountDownLatch stop = StopSignals.install();
        // One line per state change: scripts and operators see when the instance is RUNNING (recovered, processing).
        TopologyApp app = TopologyApp.start(props, (now, before) -> {
            out.println("topology " + now);
            out.flush();
        });
        out.println("topology starting (application.id " + app.config().streamsProperties().getProperty("application.id")
                + ", layers in " + app.config().layersDir() + "); SIGTERM or Ctrl-C stops it");
        out.flush();
        while (!app.awaitStopped(Duration.ofMillis(200)) && stop.getCount() > 0) {
            // until a stop signal or the application's own end
        }
        app.close();
        if (app.failure().isPresent()) {
            Throwable f = app.failure().get();
            throw new IOException("the topology failed: " + f.getMessage(), f);
        }
        out.println("topology stopped");
        out.flush();
    }
}
