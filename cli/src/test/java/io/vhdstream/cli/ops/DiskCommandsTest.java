package io.vhdstream.cli.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vhdstream.cli.CliRunner;
import io.vhdstream.embedded.EmbeddedBroker;
import io.vhdstream.topology.app.TopologyApp;
import io.vhdstream.topology.config.TopologyConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The commands a person types, against a real broker and the topology running in this JVM: one CreateDisk,
 * Snapshot and DeleteDisk by hand, the disks and snapshots listed from the layers topic and from the layer
 * directory, the rejections read back with {@code dead-letters}, and a workload that would write into an
 * existing disk refused.
 */
class DiskCommandsTest {
    @TempDir
    static Path dir;
    static EmbeddedBroker broker;
    static TopologyApp topology;
    static String bs;
    static Path layers;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedBroker.start(dir.resolve("kafka"), 0);
        bs = broker.bootstrapServers();
        CliRunner.run("topics", "create", "--bootstrap-servers", bs, "--partitions", "1", "--replication-factor", "1")
                .assertOk();
        layers = dir.resolve("layers");
        Properties p = new Properties();
        p.put("application.id", "disk-commands-test");
        p.put("bootstrap.servers", bs);
        p.put("state.dir", dir.resolve("state").toString());
        p.put("commit.interval.ms", "100");
        p.put(TopologyConfig.LAYERS_DIR_CONFIG, layers.toString());
        topology = TopologyApp.start(p);
        assertTrue(topology.awaitRunning(Duration.ofSeconds(120)), "the topology runs");
    }

    @AfterAll
    static void stop() {
        if (topology != null) {
            topology.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** Runs {@code args} until its output satisfies {@code done} (the topology works asynchronously). */
    static CliRunner.Result await(Predicate<CliRunner.Result> done, String... args) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            CliRunner.Result r = CliRunner.run(args);
            if (done.test(r)) {
                return r;
            }
            if (System.nanoTime() > deadline) {
                fail("no expected output within 90 s from " + String.join(" ", args) + ": " + r.out() + r.err());
            }
            Thread.sleep(250);
        }
    }

    @Test
    void aDiskByHandListedShownRejectedAndDeleted() throws Exception {
        CliRunner.Result created = CliRunner.run("disk", "create", "--bootstrap-servers", bs, "--disk", "d1", "--size", "4M")
                .assertOk();
        assertTrue(created.out().startsWith("sent CreateDisk (4194304 bytes) for disk d1 to vhdstream-commands (partition 0, offset "),
                created.out());
        CliRunner.run("disk", "snapshot", "--bootstrap-servers", bs, "--disk", "d1", "--id", "first", "--label", "nightly run")
                .assertOk();

        CliRunner.Result list = await(r -> r.out().contains("d1  4 MiB  1 snapshot (latest first at "),
                "disk", "list", "--bootstrap-servers", bs);
        assertEquals(1, list.outLines().stream().filter(l -> l.startsWith("d1 ")).count(), list.out());
        JsonNode show = new ObjectMapper().readTree(CliRunner.run("disk", "show", "--bootstrap-servers", bs, "--disk", "d1",
                "--json").assertOk().out());
        JsonNode snap = show.get("disk").get("snapshots").get(0);
        assertEquals("first", snap.get("snapshotId").asText());
        assertEquals("nightly run", snap.get("label").asText());
        assertEquals("base.vhd", snap.get("layerFile").asText(), "the first snapshot is captured by the base layer");
        assertTrue(snap.get("fileSize").asLong() > 0);

        String fromDir = CliRunner.run("disk", "show", "--layers", layers.toString(), "--disk", "d1").assertOk().out();
        assertTrue(fromDir.contains("  created    ") && fromDir.contains("first  ") && fromDir.contains("label \"nightly run\""),
                fromDir);
        CliRunner.run("disk", "show", "--layers", layers.toString(), "--disk", "d9").assertError(1, "NOT_FOUND");
        CliRunner.Result missing = CliRunner.run("disk", "show", "--bootstrap-servers", bs, "--disk", "nope");
        missing.assertError(1, "NOT_FOUND");
        assertTrue(missing.err().contains("known: d1"), missing.err());

        // A second CreateDisk is rejected by the topology: the dead letter is there to read, by disk and reason.
        CliRunner.run("disk", "create", "--bootstrap-servers", bs, "--disk", "d1", "--size", "4M").assertOk();
        CliRunner.Result dl = assertTimeoutPreemptively(Duration.ofSeconds(90), () -> CliRunner.run("dead-letters",
                "--bootstrap-servers", bs, "--disk", "d1", "--reason", "disk_exists", "--follow", "--max-messages", "1", "--json"));
        JsonNode letter = new ObjectMapper().readTree(dl.assertOk().out());
        assertEquals("DISK_EXISTS", letter.get("reason").asText());
        assertEquals("d1", letter.get("disk").asText());
        assertEquals("vhdstream-commands", letter.get("sourceTopic").asText());
        CliRunner.Result none = CliRunner.run("dead-letters", "--bootstrap-servers", bs, "--disk", "d1", "--reason",
                "UNKNOWN_DISK").assertOk();
        assertEquals("", none.out());
        assertTrue(none.err().contains("0 dead letters"), none.err());

        CliRunner.run("disk", "delete", "--bootstrap-servers", bs, "--disk", "d1", "--reason", "gone").assertOk();
        await(r -> r.out().contains("d1  4 MiB  1 snapshot") && r.out().contains("DELETED (gone)"),
                "disk", "list", "--bootstrap-servers", bs);
    }

    @Test
    void aWorkloadDoesNotWriteIntoAnExistingDiskUnlessAppending() throws Exception {
        CliRunner.Result first = CliRunner.run("produce", "workload", "--bootstrap-servers", bs, "--disk", "w1", "--size", "4M",
                "--snapshot-every", "2M").assertOk();
        assertTrue(first.out().contains("; snapshots s1, s2"), first.out());
        await(r -> r.out().contains("w1  4 MiB  2 snapshots"), "disk", "list", "--bootstrap-servers", bs);

        CliRunner.Result again = CliRunner.run("produce", "workload", "--bootstrap-servers", bs, "--disk", "w1", "--size", "4M");
        again.assertError(1, "DISK_EXISTS");
        assertTrue(again.err().contains("--append") && again.err().contains("s1, s2"), again.err());
        CliRunner.run("produce", "workload", "--bootstrap-servers", bs, "--disk", "w1", "--size", "4M", "--append")
                .assertError(1, "DUPLICATE_SNAPSHOT");
        CliRunner.Result appended = CliRunner.run("produce", "workload", "--bootstrap-servers", bs, "--disk", "w1", "--size",
                "4M", "--write", "1M", "--append", "--snapshot-prefix", "more-").assertOk();
        assertTrue(appended.out().contains("; snapshots more-1"), appended.out());
        await(r -> r.out().contains("w1  4 MiB  3 snapshots (latest more-1"), "disk", "list", "--bootstrap-servers", bs);
    }
}
