package io.vhdstream.connector;

import io.vhdstream.connector.sink.VhdReplicaSinkConnector;
import io.vhdstream.connector.source.VhdSourceConnector;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged plugin (target/plugin/vhdstream-connector) in a stock worker: a separate JVM running
 * {@code ConnectStandalone} with Kafka's jars only on its class path, our connectors only through
 * {@code plugin.path} (default discovery). It lists both connectors, and the pair replicates a chain.
 * Runs after {@code package} (failsafe).
 */
class PluginPackagingIT {
    @TempDir
    Path tmp;

    @Test
    void aStockWorkerLoadsThePluginFromPluginPath() throws Exception {
        Path pluginDir = Path.of(System.getProperty("vhdstream.plugin.dir", "target/plugin"));
        Path plugin = pluginDir.resolve("vhdstream-connector");
        assertTrue(Files.isDirectory(plugin.resolve("lib")), "no plugin at " + plugin + ": run mvn package first");
        try (Stream<Path> jars = Files.list(plugin.resolve("lib"))) {
            List<String> names = jars.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.stream().anyMatch(n -> n.startsWith("vhdstream-connector-")), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.startsWith("avro-")), names.toString());
            assertFalse(names.stream().anyMatch(n -> n.startsWith("kafka-clients") || n.startsWith("connect-api")),
                    "the worker's own jars stay out: " + names);
        }

        List<Path> chain = TestChains.engineChain(tmp.resolve("root/vm"), "p", 16 * TestChains.MIB, TestChains.MIB, 2, 8);
        String disk = ConnectTestSupport.uniqueId(chain.get(0)).toString();
        Path replica = tmp.resolve("replica");

        EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(1, ConnectTestSupport.brokerProps());
        kafka.start();
        Process worker = null;
        try {
            kafka.createTopic("blocks", 1);
            kafka.createTopic("errors", 1);
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Properties w = new Properties();
            w.put("bootstrap.servers", kafka.bootstrapServers());
            w.put("plugin.path", pluginDir.toAbsolutePath().toString());
            w.put("offset.storage.file.filename", tmp.resolve("offsets").toString());
            w.put("offset.flush.interval.ms", "1000");
            w.put("listeners", "http://127.0.0.1:" + port);
            w.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
            w.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
            Path workerFile = store(w, tmp.resolve("worker.properties"));

            Properties src = new Properties();
            src.putAll(ConnectTestSupport.source(tmp.resolve("root"), "blocks", "errors", true));
            src.put("name", "vhd-source");
            Properties sink = new Properties();
            sink.putAll(ConnectTestSupport.sink(replica, "blocks", true));
            sink.put("name", "vhd-replica");

            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Xmx512m");
            String log4j = System.getProperty("log4j2.configurationFile");
            cmd.add("-Dlog4j2.configurationFile=" + (log4j != null ? log4j
                    : Path.of("src/test/resources/log4j2-test.properties").toAbsolutePath()));
            cmd.add("-Dvhdstream.test.log=" + tmp.resolve("worker-detail.log"));
            cmd.add("-cp");
            cmd.add(stockWorkerClassPath());
            cmd.add("org.apache.kafka.connect.cli.ConnectStandalone");
            cmd.add(workerFile.toString());
            cmd.add(store(src, tmp.resolve("source.properties")).toString());
            cmd.add(store(sink, tmp.resolve("sink.properties")).toString());
            Path log = Path.of(System.getProperty("vhdstream.it.worker.log", tmp.resolve("worker.log").toString()));
            worker = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String plugins = null;
            long deadline = System.currentTimeMillis() + 120_000;
            while (plugins == null) {
                if (!worker.isAlive()) {
                    throw new AssertionError("the worker exited: " + Files.readString(log));
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("the worker's REST API never answered: " + Files.readString(log));
                }
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/connector-plugins")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        plugins = r.body();
                    }
                } catch (IOException e) {
                    Thread.sleep(250);
                }
            }
            assertTrue(plugins.contains(VhdSourceConnector.class.getName()), plugins);
            assertTrue(plugins.contains(VhdReplicaSinkConnector.class.getName()), plugins);
            assertTrue(plugins.contains(Version.get()), plugins);

            Process alive = worker;
            ConnectTestSupport.waitFor("the replica of the chain's two sealed layers", 120_000, () -> {
                if (!alive.isAlive()) {
                    throw new AssertionError("the worker exited");
                }
                return ConnectTestSupport.sealedCount(replica, disk) == 2;
            });
            assertEquals(-1, TestChains.compareExports(chain.get(1), ConnectTestSupport.replicaTop(replica, disk), tmp));
        } finally {
            if (worker != null) {
                worker.destroy();
                if (!worker.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    worker.destroyForcibly();
                }
            }
            kafka.stop();
        }
    }

    /** This JVM's class path without anything of ours, nor Avro: what a worker installation has. */
    static String stockWorkerClassPath() {
        List<String> keep = new ArrayList<>();
        String repo = Path.of(System.getProperty("vhdstream.repo.dir", "..")).toAbsolutePath().normalize().toString();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String abs = Path.of(e).toAbsolutePath().normalize().toString();
            String name = Path.of(e).getFileName().toString();
            if (abs.startsWith(repo) || name.startsWith("vhdstream-") || name.startsWith("avro-")
                    || abs.contains("/io/vhdstream/") || abs.contains("surefire") || abs.contains("failsafe")) {
                continue;
            }
            keep.add(e);
        }
        return String.join(File.pathSeparator, keep);
    }

    private static Path store(Properties p, Path file) throws IOException {
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, null);
        }
        return file;
    }
}
