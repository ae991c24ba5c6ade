package io.vhdstream.cli.docs;

import io.vhdstream.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every shell block of the README and the docs either runs here, verbatim, or says why it cannot. The line
 * before each fenced {@code bash}/{@code sh} block is a marker comment: {@code <!-- docs-test: run -->} (this test
 * runs it with bash, -e, in a fresh directory that has {@code ./vhdstream} and {@code config/}; with
 * {@code run, output: REGEX} its whole output, trimmed, must also match REGEX) or
 * {@code <!-- docs-test: skip: REASON -->}. {@code ./vhdstream} is the CLI's {@link Main} on this test's class path
 * (the launcher itself is tested by run-tests). Placeholders: Kafka's port {@value #DOCS_PORT} becomes a free
 * port, so a broker a block starts never meets another one; a Connect worker's REST address {@value #DOCS_CONNECT}
 * becomes that of a real worker (embedded broker and standalone worker in this JVM, started once, and only if a
 * block names it). Processes a block leaves running are stopped.
 */
class DocsCommandsTest {
    static final Path REPO = Path.of(System.getProperty("vhdstream.repo.dir", ".."));
    static final Pattern FENCE = Pattern.compile("^```(bash|sh|shell)\\s*$");
    static final Pattern MARKER = Pattern.compile("^<!-- docs-test: (run(?:, output: (.+))?|skip: (.+)) -->$");
    static final String DOCS_PORT = "9092";
    static final String DOCS_CONNECT = "http://connect1:8083";
    /** Long enough for a block that starts a broker and the topology and waits for them, on a loaded machine. */
    static final int BLOCK_SECONDS = 420;

    record Block(Path file, int line, String marker, String reason, String output, String text) {
        String where() {
            return REPO.relativize(file) + ":" + line;
        }
    }

    static List<Path> documents() throws IOException {
        List<Path> out = new ArrayList<>();
        out.add(REPO.resolve("README.md"));
        try (Stream<Path> s = Files.list(REPO.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
        }
        try (Stream<Path> s = Files.list(REPO)) {
            for (Path module : s.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> m = Files.list(module)) {
                    m.filter(p -> p.getFileName().toString().matches("README.*\\.md")).sorted().forEach(out::add);
                }
            }
        }
        return out;
    }

    static List<Block> blocks() throws IOException {
        List<Block> out = new ArrayList<>();
        for (Path doc : documents()) {
            List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (!FENCE.matcher(lines.get(i)).matches()) {
                    continue;
                }
                int before = i - 1;
                while (before >= 0 && lines.get(before).isBlank()) {
                    before--;
                }
                Matcher m = before < 0 ? null : MARKER.matcher(lines.get(before).trim());
                StringBuilder text = new StringBuilder();
                int j = i + 1;
                for (; j < lines.size() && !lines.get(j).startsWith("```"); j++) {
                    text.append(lines.get(j)).append('\n');
                }
                boolean marked = m != null && m.matches();
                out.add(new Block(doc, i + 1, marked ? m.group(1).startsWith("run") ? "run" : "skip" : null,
                        marked ? m.group(3) : null, marked ? m.group(2) : null, text.toString()));
                i = j;
            }
        }
        return out;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    @Test
    void everyShellBlockRunsOrSaysWhyNot() throws IOException {
        List<String> unmarked = blocks().stream().filter(b -> b.marker() == null)
                .map(b -> b.where() + " (put <!-- docs-test: run --> or <!-- docs-test: skip: REASON --> before it)").toList();
        assertEquals(List.of(), unmarked, "shell blocks without a docs-test marker");
        assertTrue(blocks().stream().anyMatch(b -> b.marker().equals("run")), "at least one block runs");
    }

    @Test
    void theRunnableBlocksRunVerbatim(@TempDir Path work) throws Exception {
        boolean needed = blocks().stream().anyMatch(b -> "run".equals(b.marker()) && b.text().contains(DOCS_CONNECT));
        try (ConnectWorker connect = new ConnectWorker(work.resolve("connect"), needed)) {
            runBlocks(work, connect);
        }
    }

    private static void runBlocks(Path work, ConnectWorker connect) throws Exception {
        Path launcher = work.resolve("vhdstream");
        Files.writeString(launcher, "#!/usr/bin/env bash\nexec '" + ProcessHandle.current().info().command().orElse("java")
                + "' -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("java.class.path") + "' " + Main.class.getName()
                + " \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (Block b : blocks()) {
            if (!"run".equals(b.marker())) {
                continue;
            }
            Path dir = Files.createDirectories(work.resolve("block-" + b.where().replaceAll("[^A-Za-z0-9]", "_")));
            Files.createSymbolicLink(dir.resolve("vhdstream"), launcher);
            Files.createSymbolicLink(dir.resolve("config"), REPO.resolve("config").toAbsolutePath());
            Path script = dir.resolve("block.sh");
            String text = b.text().replace(DOCS_PORT, String.valueOf(freePort()));
            if (text.contains(DOCS_CONNECT)) {
                text = text.replace(DOCS_CONNECT, connect.restUrl());
            }
            Files.writeString(script, "set -euo pipefail\ntrap 'jobs -p | xargs -r kill 2>/dev/null || true' EXIT\n" + text);
            Process p = new ProcessBuilder("bash", script.toString()).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("output").toFile()).start();
            boolean done = p.waitFor(BLOCK_SECONDS, TimeUnit.SECONDS);
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            String output = Files.readString(dir.resolve("output"));
            assertTrue(done, b.where() + ": still running after " + BLOCK_SECONDS + " s: " + output);
            assertEquals(0, p.exitValue(), b.where() + " failed:\n" + b.text() + "\n--- output:\n" + output);
            if (b.output() != null) {
                assertTrue(Pattern.compile(b.output(), Pattern.DOTALL).matcher(output.trim()).matches(),
                        b.where() + ": the output does not match " + b.output() + ":\n" + output);
            }
        }
    }

    /**
     * A broker and a standalone Connect worker for the blocks that name {@value #DOCS_CONNECT}: started in the
     * background when the test begins (while the first blocks run), and only if such a block exists.
     */
    private static final class ConnectWorker implements AutoCloseable {
        private final java.util.concurrent.CompletableFuture<AutoCloseable[]> started;

        ConnectWorker(Path dir, boolean needed) {
            started = !needed ? null : java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    var broker = io.vhdstream.embedded.EmbeddedBroker.start(dir.resolve("broker"), freePort());
                    return new AutoCloseable[] {broker, io.vhdstream.embedded.EmbeddedConnect.start(broker.bootstrapServers(),
                            dir.resolve("offsets"), java.util.Map.of())};
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }

        String restUrl() {
            if (started == null) {
                throw new IllegalStateException("no block was found to need a Connect worker");
            }
            return ((io.vhdstream.embedded.EmbeddedConnect) started.join()[1]).restUrl().replaceAll("/$", "");
        }

        @Override
        public void close() throws Exception {
            if (started != null) {
                AutoCloseable[] running = started.join();
                running[1].close();
                running[0].close();
            }
        }
    }
}
