package io.vhdstream.cli.kafka;

import io.vhdstream.cli.CliRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mistakes and outages as users meet them, no broker needed: every one is one line with a code that says which
 * (CONFIG, exit 2: fix the settings; UNREACHABLE, exit 1: try again later), naming the key or the address.
 */
class KafkaErrorsTest {
    @TempDir
    Path dir;

    @Test
    void aClusterThatIsDownIsReportedWithinSecondsWithTheAddress() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            port = s.getLocalPort();
        }
        long t = System.nanoTime();
        CliRunner.Result r = CliRunner.run("produce", "workload", "--bootstrap-servers", "127.0.0.1:" + port, "--disk", "d");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t);
        r.assertError(1, "UNREACHABLE");
        assertTrue(r.err().contains("127.0.0.1:" + port) && r.err().contains("connection refused"), r.err());
        assertTrue(seconds < 20, "reported after " + seconds + " s");
    }

    @Test
    void anUnknownHostIsNamed() {
        CliRunner.Result r = CliRunner.run("rebuild", "--bootstrap-servers", "no-such-host.invalid:9092", "--disk", "d",
                "--until", "s1", "--out", dir.resolve("o").toString());
        r.assertError(1, "UNREACHABLE");
        assertTrue(r.err().contains("no-such-host.invalid:9092 (unknown host)"), r.err());
    }

    @Test
    void clientSettingMistakesAreConfigErrorsNamingTheKey() throws Exception {
        assertConfig(CliRunner.run("produce", "workload", "--bootstrap-servers", "localhost", "--disk", "d"), "bootstrap.servers", "HOST:PORT");
        assertConfig(CliRunner.run("produce", "workload", "--bootstrap-servers", "nonsense:port", "--disk", "d"), "bootstrap.servers", "HOST:PORT");
        assertConfig(CliRunner.run("rebuild", "--set", "request.timeout.ms=abc", "--disk", "d", "--until", "s",
                "--out", dir.resolve("o").toString()), "request.timeout.ms", "whole number");
        assertConfig(CliRunner.run("produce", "workload", "--set", "security.protocol=TLS", "--disk", "d"),
                "security.protocol", "SASL_SSL");
        assertConfig(CliRunner.run("produce", "workload", "--set", "sasl.mechansim=PLAIN", "--disk", "d"),
                "sasl.mechansim", "not a Kafka client setting");
        assertConfig(CliRunner.run("produce", "workload", "--command-config", dir.resolve("missing.properties").toString(),
                "--disk", "d"), "missing.properties", "does not exist");
        Path props = dir.resolve("client.properties");
        Files.writeString(props, "security.protocol=SSL\nssl.truststore.location=" + dir.resolve("no-truststore.jks") + "\n");
        assertConfig(CliRunner.run("produce", "workload", "--command-config", props.toString(), "--disk", "d"),
                "ssl.truststore.location", "no such file");
    }

    @Test
    void topologySettingMistakesAreConfigErrorsNamingTheKeyAndTheAcceptedValues() throws Exception {
        Path config = dir.resolve("topology.properties");
        Files.writeString(config, "application.id=t\nbootstrap.servers=127.0.0.1:9092\nstate.dir=" + dir.resolve("state")
                + "\nvhdstream.layers.dir=" + dir.resolve("layers") + "\n");
        assertConfig(CliRunner.run("topology", "--config", config.toString(), "--set", "vhdstream.checkpoint.interval.ms=abc"),
                "vhdstream.checkpoint.interval.ms", "[100,...]");
        assertConfig(CliRunner.run("topology", "--config", config.toString(), "--set", "vhdstream.topics.creat=true"),
                "vhdstream.topics.creat", "vhdstream.topics.create");
        assertConfig(CliRunner.run("topology", "--config", config.toString(), "--set", "commit.interval.ms=soon"),
                "commit.interval.ms", "whole number");
        assertConfig(CliRunner.run("topology", "--config", config.toString(), "--set",
                "vhdstream.layers.dir=" + dir.resolve("state").resolve("layers")), "vhdstream.layers.dir", "state.dir");
        assertConfig(CliRunner.run("topology", "--config", config.toString(), "--bootstrap-servers", "a:b"),
                "bootstrap.servers", "HOST:PORT");
    }

    @Test
    void aRawImageOfTheWrongSizeIsAUsageError() throws Exception {
        Path chain = dir.resolve("disk.vhd");
        CliRunner.run("vhd", "create", chain.toString(), "--size", "1M").assertOk();
        Path raw = dir.resolve("disk.raw");
        Files.write(raw, new byte[4096]);
        CliRunner.Result r = CliRunner.run("produce", "diff", "--disk", "d", "--raw", raw.toString(), "--chain", chain.toString());
        r.assertError(2, "INVALID_ARGUMENT");
        assertTrue(r.err().contains("4096 bytes"), r.err());
    }

    private static void assertConfig(CliRunner.Result r, String... mentions) {
        r.assertError(2, "CONFIG");
        for (String m : mentions) {
            assertTrue(r.err().contains(m), () -> "'" + m + "' missing in: " + r.err());
        }
    }
}
