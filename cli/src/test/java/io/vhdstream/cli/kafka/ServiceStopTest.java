package io.vhdstream.cli.kafka;

import io.vhdstream.cli.ChildProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

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
        Process p = ChildProcess.vhdstream(dir, "broker", "--port", "0", "--dir", dir.resolve("data").toString())
                .redirectError(dir.resolve("err").toFile()).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (lines.stream().noneMatch(l -> l.startsWith("Kafka broker on "))) {
                assertTrue(p.isAlive(), () -> "the broker ended early: " + lines + " " + read(dir.resolve("err")));
                assertTrue(System.nanoTime() < deadline, () -> "not started after 120 s: " + lines);
                Thread.sleep(50);
            }
            p.toHandle().destroy();   // SIGTERM
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped within 60 s of SIGTERM");
            reader.join(5000);
            assertEquals(0, p.exitValue(), () -> "exit status after SIGTERM; stdout " + lines + "; stderr " + read(dir.resolve("err")));
            assertTrue(lines.contains("broker stopped"), lines::toString);
        } finally {
            p.destroyForcibly();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "(" + e + ")";
        }
    }
}
