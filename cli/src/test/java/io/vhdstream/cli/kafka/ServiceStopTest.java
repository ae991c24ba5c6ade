package io.vhdstream.cli.kafka;

import io.vhdstream.cli.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A verb that runs until stopped, as a service manager stops it: SIGTERM closes it cleanly and the process exits
 * 0 (the JVM's default would be 143, a failure to systemd). The topology's own stop is in SecuredClusterTest.
 */
class ServiceStopTest {
    @TempDir
    Path dir;

    @Test
    void theBrokerStopsOnSigtermWithExitZero() throws Exception {
        try (ServiceProcess broker = ServiceProcess.start(dir, "broker", "broker", "--port", "0", "--dir",
                dir.resolve("data").toString())) {
            broker.awaitLine("Kafka broker on ", 120);
            assertEquals(0, broker.sigterm(), broker::toString);
            assertTrue(broker.lines().contains("broker stopped"), broker::toString);
        }
    }
}
