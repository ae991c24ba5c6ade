package io.vhdstream.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A verb that runs until stopped, in its own JVM, as a service manager runs it: its stdout lines collected as
 * they come, stderr in a file, and a stop by SIGTERM whose exit status the caller checks.
 */
public final class ServiceProcess implements AutoCloseable {
    private final Process process;
    private final Path err;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private ServiceProcess(Process process, Path err) {
        this.process = process;
        this.err = err;
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.start();
    }

    /** Starts {@code vhdstream args} (see {@link ChildProcess}) in {@code dir}; stderr goes to {@code dir/<name>.err}. */
    public static ServiceProcess start(Path dir, String name, String... args) throws IOException {
        Path err = dir.resolve(name + ".err");
        return new ServiceProcess(ChildProcess.vhdstream(dir, args).redirectError(err.toFile()).start(), err);
    }

    /** Waits until a stdout line equals or starts with {@code prefix}; fails if the process ends first or time runs out. */
    public void awaitLine(String prefix, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (lines.stream().noneMatch(l -> l.startsWith(prefix))) {
            assertTrue(process.isAlive(), () -> "ended before '" + prefix + "': " + this);
            assertTrue(System.nanoTime() < deadline, () -> "no '" + prefix + "' after " + seconds + " s: " + this);
            Thread.sleep(50);
        }
    }

    /** Sends SIGTERM and returns the exit status (fails if it does not stop within 60 s). */
    public int sigterm() throws InterruptedException {
        process.toHandle().destroy();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "stopped within 60 s of SIGTERM");
        reader.join(5000);
        return process.exitValue();
    }

    public List<String> lines() {
        return lines;
    }

    @Override
    public String toString() {
        String e;
        try {
            e = Files.readString(err);
        } catch (IOException x) {
            e = "(" + x + ")";
        }
        return "stdout " + lines + "; stderr " + e;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
