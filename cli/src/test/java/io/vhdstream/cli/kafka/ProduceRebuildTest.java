package io.vhdstream.cli.kafka;

import io.vhdstream.cli.CliRunner;
import io.vhdstream.embedded.EmbeddedBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kafka verbs as users type them, against a real (embedded) broker: a workload produced by one verb is
 * rebuilt by another, the flat image equals the chain it came with, and bad arguments are usage errors.
 */
class ProduceRebuildTest {
    @TempDir
    static Path dir;
    static EmbeddedBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedBroker.start(dir.resolve("kafka"), 0);
        broker.createTopics(Map.of("vhdstream-commands", 1));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void producedWorkloadRebuildsAtEverySnapshot() throws Exception {
        String bs = broker.bootstrapServers();
        CliRunner.run("produce", "workload", "--bootstrap-servers", bs, "--disk", "d1", "--size", "8M", "--write", "6M",
                "--snapshot-every", "2M", "--seed", "5").assertOk();
        Path out = dir.resolve("rebuilt-s2");
        Path flat = dir.resolve("s2.raw");
        CliRunner.Result r = CliRunner.run("rebuild", "--bootstrap-servers", bs, "--disk", "d1", "--until", "s2",
                "--out", out.toString(), "--flat", flat.toString()).assertOk();
        assertTrue(r.out().contains("rebuilt disk d1 at snapshot s2"), r.out());
        assertEquals(8L << 20, Files.size(flat));
        // The chain the rebuild made reads exactly like the flat image it wrote, and checks clean.
        Path top = Files.list(out).filter(p -> p.getFileName().toString().startsWith("0001@")).findFirst().orElseThrow();
        Path exported = dir.resolve("export.raw");
        CliRunner.run("vhd", "export", top.toString(), exported.toString()).assertOk();
        assertArrayEquals(Files.readAllBytes(flat), Files.readAllBytes(exported));
        CliRunner.run("vhd", "check", top.toString()).assertOk();
    }

    @Test
    void unknownSnapshotAndOversizedWritesAreClearErrors() {
        String bs = broker.bootstrapServers();
        CliRunner.run("produce", "workload", "--bootstrap-servers", bs, "--disk", "d2", "--write-size", "1M")
                .assertError(2, "INVALID_ARGUMENT");
        CliRunner.Result r = CliRunner.run("rebuild", "--bootstrap-servers", bs, "--disk", "nope", "--until", "s9",
                "--out", dir.resolve("none").toString());
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }
}
