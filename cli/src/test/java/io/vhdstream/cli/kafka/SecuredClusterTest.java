package io.vhdstream.cli.kafka;

import io.vhdstream.cli.CliRunner;
import io.vhdstream.cli.ServiceProcess;
import io.vhdstream.embedded.EmbeddedBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Kafka-facing verb against a broker whose only client listener requires TLS and SASL/SCRAM
 * (self-signed certificate made by keytool, a SCRAM-SHA-256 user): the client settings come from
 * {@code --command-config} (the broker's generated client.properties) and {@code --set}. Without them, or with a
 * wrong password, the verbs fail in one line that says why.
 */
class SecuredClusterTest {
    @TempDir
    static Path dir;
    static EmbeddedBroker broker;
    static String bs;
    static String clientProps;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedBroker.start(dir.resolve("kafka"), 0, true);
        bs = broker.bootstrapServers();
        clientProps = broker.security().orElseThrow().clientProperties().toString();
        // The topics as a user makes them: 'vhdstream topics create' over SASL_SSL, then checked.
        CliRunner.run("topics", "create", "--bootstrap-servers", bs, "--command-config", clientProps,
                "--partitions", "1", "--replication-factor", "1").assertOk();
    }

    @Test
    void topicsCheckOverSaslSslAndAWrongPasswordIsAnAuthenticationError() {
        CliRunner.Result ok = CliRunner.run("topics", "check", "--bootstrap-servers", bs, "--command-config", clientProps)
                .assertOk();
        assertTrue(ok.out().contains("vhdstream-blocks (blocks): exists"), ok.out());
        CliRunner.run("topics", "check", "--bootstrap-servers", bs, "--command-config", clientProps, "--set",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"vhdstream\" password=\"wrong\";")
                .assertError(1, "AUTHENTICATION");
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void produceAndRebuildWithCommandConfig() throws Exception {
        CliRunner.run("produce", "workload", "--bootstrap-servers", bs, "--command-config", clientProps, "--disk", "sec1",
                "--size", "4M", "--snapshot-every", "2M").assertOk();
        Path out = dir.resolve("rebuilt");
        CliRunner.run("rebuild", "--bootstrap-servers", bs, "--command-config", clientProps, "--disk", "sec1", "--until", "s1",
                "--out", out.toString()).assertOk();
        assertTrue(Files.exists(out.resolve("sealed")), "the rebuild wrote a layer directory");
    }

    @Test
    void setWinsOverTheFileAndAWrongPasswordIsAnAuthenticationError() {
        long t = System.nanoTime();
        CliRunner.Result r = CliRunner.run("produce", "workload", "--bootstrap-servers", bs, "--command-config", clientProps,
                "--set", "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"vhdstream\" password=\"wrong\";",
                "--disk", "sec2", "--size", "4M");
        r.assertError(1, "AUTHENTICATION");
        assertTrue(r.err().contains(bs) && r.err().contains("SCRAM-SHA-256"), r.err());
        assertTrue(!r.err().contains("wrong"), "no password in messages: " + r.err());
        assertTrue(System.nanoTime() - t < TimeUnit.SECONDS.toNanos(15), "reported within seconds");
    }

    @Test
    void aPlaintextClientIsToldAboutTheProtocol() {
        CliRunner.Result r = CliRunner.run("rebuild", "--bootstrap-servers", bs, "--disk", "sec1", "--until", "s1",
                "--out", dir.resolve("none").toString());
        r.assertError(1, "UNREACHABLE");
        assertTrue(r.err().contains(bs) && r.err().contains("security.protocol"), r.err());
    }

    @Test
    void demoAgainstTheSecuredCluster() {
        CliRunner.Result r = CliRunner.run("demo", "--size", "4M", "--snapshots", "2", "--bootstrap-servers", bs,
                "--command-config", clientProps, "--keep", dir.resolve("demo").toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("demo: ALL CHECKS PASSED"), r.out());
    }

    /** The topology as a service in its own JVM: secured client settings, then SIGTERM ends it cleanly with exit 0. */
    @Test
    void topologyServiceRunsOverSaslSslAndStopsWithExitZero() throws Exception {
        Path config = dir.resolve("topology.properties");
        Path layers = dir.resolve("service-layers");
        Files.writeString(config, "application.id=secured-topology\nbootstrap.servers=127.0.0.1:1\n"
                + "state.dir=" + dir.resolve("service-state") + "\nvhdstream.layers.dir=" + layers + "\n");
        try (ServiceProcess topology = ServiceProcess.start(dir, "service", "topology", "--config", config.toString(),
                "--command-config", clientProps, "--bootstrap-servers", bs)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            topology.awaitLine("topology RUNNING", 90);
            CliRunner.run("produce", "workload", "--bootstrap-servers", bs, "--command-config", clientProps, "--disk", "sec3",
                    "--size", "4M", "--snapshot-every", "4M").assertOk();
            Path sealed = layers.resolve("sec3").resolve("sealed");
            while (!Files.exists(sealed) || Files.readString(sealed).isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "the topology did not seal the workload's snapshot");
                Thread.sleep(100);
            }
            // The operator's commands over SASL_SSL: one snapshot by hand, the disks from the layers topic, dead letters.
            CliRunner.run("disk", "snapshot", "--bootstrap-servers", bs, "--command-config", clientProps, "--disk", "sec3",
                    "--id", "by-hand").assertOk();
            while (!CliRunner.run("disk", "list", "--bootstrap-servers", bs, "--command-config", clientProps).assertOk().out()
                    .matches("(?s).*sec3  4 MiB  \\d+ snapshots \\(latest by-hand.*")) {
                assertTrue(System.nanoTime() < deadline, "disk list did not show the snapshot made by hand");
                Thread.sleep(200);
            }
            CliRunner.run("dead-letters", "--bootstrap-servers", bs, "--command-config", clientProps).assertOk();
            assertEquals(0, topology.sigterm(), () -> "exit status after SIGTERM; " + topology);
            assertTrue(topology.lines().contains("topology stopped"), topology::toString);
        }
    }
}
