package io.vhdstream.topology.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code vhdstream topology --config config/topology.properties --set ...} as a process, started through the
 * repository's launcher exactly as a user starts it; times when it prints each state ({@code topology RUNNING}).
 */
final class TopologyProcess implements AutoCloseable {
    private final Process process;
    private final long startNanos;
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    private final Thread reader;

    private TopologyProcess(Process process, long startNanos, Path log) {
        this.process = process;
        this.startNanos = startNanos;
        this.reader = new Thread(() -> {
            // Every line also goes to the log, stamped with the seconds since the process start: the start-up timeline.
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 java.io.Writer w = java.nio.file.Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                         java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
                w.write(String.format(java.util.Locale.ROOT, "--- process started (pid %d)%n", process.pid()));
                for (String line; (line = r.readLine()) != null; ) {
                    long now = System.nanoTime();
                    if (line.startsWith("topology ")) {
                        firstSeen.putIfAbsent(line.substring(9).trim(), now);
                    }
                    w.write(String.format(java.util.Locale.ROOT, "[+%7.3f s] %s%n", (now - startNanos) / 1e9, line));
                    w.flush();
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "topology-process-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    static TopologyProcess start(Path repo, Map<String, String> overrides, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("vhdstream").toString(), "topology", "--config",
                repo.resolve("config/topology.properties").toString()));
        overrides.forEach((k, v) -> {
            cmd.add("--set");
            cmd.add(k + "=" + v);
        });
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile());
        pb.redirectErrorStream(true);   // one stream, so the log keeps the order of both
        long t0 = System.nanoTime();
        return new TopologyProcess(pb.start(), t0, log);
    }

    long startNanos() {
        return startNanos;
    }

    /** CPU time (user + sys) the process has used so far, in seconds (the launcher execs the JVM: one process). */
    double cpuSeconds() {
        return RestartBench.cpuSeconds(process.toHandle());
    }

    /** Seconds from the process start until it printed {@code state}; fails after {@code timeout}. */
    double awaitState(String state, Duration timeout, Path log) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!firstSeen.containsKey(state)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the topology exited (" + process.exitValue() + ") before " + state + "; see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the topology was not " + state + " after " + timeout + "; see " + log);
            }
            Thread.sleep(5);
        }
        return (firstSeen.get(state) - startNanos) / 1e9;
    }

    /** kill -9. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the shutdown hook closes the application cleanly. */
    void stop() throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            kill();
            throw new IllegalStateException("the topology did not stop within 90 s");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
