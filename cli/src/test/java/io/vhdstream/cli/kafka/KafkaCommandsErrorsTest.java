package io.vhdstream.cli.kafka;

import io.vhdstream.cli.CliRunner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Kafka-facing command, given each kind of client mistake and a cluster that is down: a CONFIG error (exit
 * 2) naming the key and what it accepts, or UNREACHABLE (exit 1) within seconds naming the address tried; one
 * line, never INTERNAL. No broker needed. The cases run concurrently (each is one in-process run with its own
 * streams; most of the time is the unreachable cases waiting out their deadline).
 */
@Execution(ExecutionMode.CONCURRENT)
class KafkaCommandsErrorsTest {
    @TempDir
    static Path dir;
    static int closedPort;

    @BeforeAll
    static void setUp() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            closedPort = s.getLocalPort();
        }
        Files.writeString(dir.resolve("topology.properties"), "application.id=t\nbootstrap.servers=127.0.0.1:9092\n"
                + "state.dir=" + dir.resolve("state") + "\nvhdstream.layers.dir=" + dir.resolve("layers") + "\n");
    }

    /** Each Kafka-facing command with what it needs besides the cluster. */
    static List<List<String>> commands() {
        return List.of(
                List.of("produce", "workload", "--disk", "d", "--size", "1M"),
                List.of("rebuild", "--disk", "d", "--until", "s1", "--out", dir.resolve("rebuilt").toString()),
                List.of("topology", "--config", dir.resolve("topology.properties").toString()),
                List.of("disk", "create", "--disk", "d", "--size", "1M"),
                List.of("disk", "snapshot", "--disk", "d", "--id", "s1"),
                List.of("disk", "delete", "--disk", "d"),
                List.of("disk", "list"),
                List.of("disk", "show", "--disk", "d"),
                List.of("dead-letters"),
                List.of("topics", "create"),
                List.of("topics", "check"),
                List.of("nbd", "serve", "--create", "d=1M", "--state-dir", dir.resolve("nbd").toString(), "--listen",
                        "127.0.0.1:0"),
                List.of("demo", "--size", "4M"));
    }

    /** A mistake, the code it must give and what the message must name. */
    record Mistake(String what, List<String> args, int exit, String code, List<String> names) {
    }

    static Stream<Arguments> cases() {
        List<Mistake> mistakes = List.of(
                new Mistake("no port", List.of("--bootstrap-servers", "localhost"), 2, "CONFIG",
                        List.of("bootstrap.servers", "HOST:PORT")),
                new Mistake("a number that is not one", List.of("--set", "request.timeout.ms=abc"), 2, "CONFIG",
                        List.of("request.timeout.ms", "whole number")),
                new Mistake("an unknown protocol", List.of("--set", "security.protocol=TLS"), 2, "CONFIG",
                        List.of("security.protocol", "SASL_SSL")),
                new Mistake("a missing client file", List.of("--command-config", "/nonexistent/client.properties"), 2,
                        "CONFIG", List.of("/nonexistent/client.properties", "does not exist")),
                new Mistake("a cluster that is down", null, 1, "UNREACHABLE", null));
        List<Arguments> out = new ArrayList<>();
        for (List<String> c : commands()) {
            for (Mistake m : mistakes) {
                String verb = c.get(0) + (c.size() > 1 && !c.get(1).startsWith("--") ? " " + c.get(1) : "");
                out.add(Arguments.of(verb + ": " + m.what(), c, m));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aMistakeIsOneTypedLine(String name, List<String> command, Mistake m) {
        List<String> args = new ArrayList<>(command);
        String address = "127.0.0.1:" + closedPort;
        List<String> names = m.names();
        if (m.args() == null) {
            args.addAll(List.of("--bootstrap-servers", address));
            names = List.of(address);
        } else {
            args.addAll(m.args());
        }
        long t = System.nanoTime();
        CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t);
        assertFalse(r.err().contains("INTERNAL"), name + ": " + r.err());
        r.assertError(m.exit(), m.code());
        for (String n : names) {
            assertTrue(r.err().contains(n), name + ": '" + n + "' missing in: " + r.err());
        }
        assertTrue(seconds < 45, name + ": reported after " + seconds + " s");
    }
}
