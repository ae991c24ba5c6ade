package io.vhdstream.topology.support;

import io.vhdstream.topology.app.TopologyApp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** The topology application in a child JVM ({@link TopologyApp#main}), on this JVM's class path. */
public final class ChildApp implements AutoCloseable {
    private final Process process;
    private final List<String> states = new CopyOnWriteArrayList<>();
    private final Path log;
    private final Thread reader;

    private ChildApp(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("STATE ")) {
                        states.add(line.substring(6).trim());
                    }
                }
            } catch (IOException ignored) {
                // the process died
            }
        }, "child-app-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Writes settings ({@link TopologySettings}) for {@link #start}. */
    public static Path write(java.util.Properties settings, Path file) throws IOException {
        try (java.io.Writer w = java.nio.file.Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            settings.store(w, "child application");
        }
        return file;
    }

    public static ChildApp start(Path propsFile, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx384m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TopologyApp.class.getName());
        cmd.add(propsFile.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new ChildApp(pb.start(), log);
    }

    /** Waits for {@code STATE RUNNING}. */
    public void awaitRunning(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!states.contains("RUNNING")) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the child app died (exit " + process.exitValue() + "); see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the child app is not RUNNING after " + timeout + " (states " + states
                        + "); see " + log);
            }
            Thread.sleep(20);
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** kill -9: no shutdown hook, no commit, no group leave. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * SIGTERM: the shutdown hook closes the application cleanly. Returns the exit code (143, 128 + SIGTERM, is
     * what a JVM reports after running its shutdown hooks on SIGTERM).
     */
    public int stop() throws InterruptedException {
        // ProcessHandle.destroy only signals; Process.destroy would also close our end of the child's stdout,
        // and we want its last STATE lines.
        process.toHandle().destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException("the child app did not stop within 90 s; see " + log);
        }
        reader.join(10_000);   // the last STATE lines
        return process.exitValue();
    }

    public List<String> states() {
        return List.copyOf(states);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
