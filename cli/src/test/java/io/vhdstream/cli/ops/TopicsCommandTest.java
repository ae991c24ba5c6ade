package io.vhdstream.cli.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vhdstream.cli.CliRunner;
import io.vhdstream.embedded.EmbeddedBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code vhdstream topics create|check} against a real broker (auto-create off): missing topics are listed and
 * made with their settings; a topic made by hand with the wrong settings is explained key by key.
 */
class TopicsCommandTest {
    @TempDir
    static Path dir;
    static EmbeddedBroker broker;
    static String bs;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedBroker.start(dir.resolve("kafka"), 0);
        bs = broker.bootstrapServers();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    /** A topics file naming this test's own topics (the broker is shared by the tests of this class). */
    static Path topicsFile(String prefix) throws Exception {
        String text = Files.readString(Path.of(System.getProperty("vhdstream.repo.dir", ".."), "config", "topics.properties")).replace("=vhdstream-", "=" + prefix + "-");
        Path f = dir.resolve(prefix + ".properties");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void checkListsMissingTopicsThenCreateMakesThemWithTheirSettings() throws Exception {
        Path file = topicsFile("t1");
        CliRunner.Result missing = CliRunner.run("topics", "check", "--bootstrap-servers", bs, "--file", file.toString());
        missing.assertError(1, "TOPICS");
        assertTrue(missing.out().contains("t1-commands (commands): MISSING"), missing.out());
        assertTrue(missing.err().contains("vhdstream topics create"), missing.err());
        assertTrue(!missing.out().contains("t1-connect-configs"), "Connect's topics only with --connect: " + missing.out());

        CliRunner.Result created = CliRunner.run("topics", "create", "--bootstrap-servers", bs, "--file", file.toString(),
                "--connect", "--replication-factor", "1").assertOk();
        assertTrue(created.out().contains("t1-commands (commands): created, ok"), created.out());
        assertEquals(10, created.outLines().size(), created.out());

        CliRunner.Result ok = CliRunner.run("topics", "check", "--bootstrap-servers", bs, "--file", file.toString(),
                "--connect", "--json").assertOk();
        JsonNode doc = new ObjectMapper().readTree(ok.out());
        assertEquals(0, doc.get("errors").asInt(), ok.out());
        assertEquals(10, doc.get("topics").size());
        try (Admin a = admin()) {
            assertEquals(25, a.describeTopics(List.of("t1-connect-offsets")).allTopicNames().get().get("t1-connect-offsets")
                    .partitions().size());
        }
    }

    @Test
    void wrongSettingsAreExplained() throws Exception {
        Path file = topicsFile("t2");
        try (Admin a = admin()) {
            // made by hand: compacted, Kafka's default 1 MiB records and 7 days' retention, 2 partitions
            a.createTopics(List.of(new NewTopic("t2-commands", Optional.of(2), Optional.empty())
                    .configs(Map.of("cleanup.policy", "compact", "max.message.bytes", "1048588"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        CliRunner.run("topics", "create", "--bootstrap-servers", bs, "--file", file.toString()).assertError(1, "TOPICS");
        CliRunner.Result r = CliRunner.run("topics", "check", "--bootstrap-servers", bs, "--file", file.toString());
        r.assertError(1, "TOPICS");
        assertTrue(r.err().contains("kafka-configs.sh") && !r.err().contains("topics create"), r.err());
        String out = r.out();
        assertTrue(out.contains("t2-commands (commands): exists, ERROR cleanup.policy=compact, needs delete"), out);
        assertTrue(out.contains("t2-commands (commands): exists, ERROR max.message.bytes=1048588, needs 2097152"), out);
        assertTrue(out.contains("t2-commands (commands): exists, warning retention.ms=604800000, needs 2592000000"), out);
        assertTrue(out.contains("t2-commands (commands): exists, warning 2 partitions, the settings say 4"), out);
        assertTrue(out.contains("t2-layers (layers): exists, ok"), out);
    }

    @Test
    void aBadTopicsFileIsAConfigError() throws Exception {
        Path bad = dir.resolve("bad.properties");
        Files.writeString(bad, "commands.name=x\ncommands.partitions=four\n");
        CliRunner.Result r = CliRunner.run("topics", "check", "--bootstrap-servers", bs, "--file", bad.toString());
        r.assertError(2, "CONFIG");
        assertTrue(r.err().contains("commands.partitions"), r.err());
    }

    static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bs));
    }
}
