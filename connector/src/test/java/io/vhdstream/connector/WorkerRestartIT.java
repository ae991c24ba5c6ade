package io.vhdstream.connector;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vhdstream.connector.ConnectTestSupport.Place;
import io.vhdstream.connector.convert.BlockEvents;
import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9.5: a stock distributed worker ({@code ConnectDistributed} in its own JVM, the plugin from
 * {@code plugin.path}, the shipped {@code config/connect-distributed.properties} and {@code config/*.json})
 * is killed with SIGKILL while the source is in the middle of a layer with a transaction open. The restarted
 * worker resumes the layer within 60 s of its start, and a read_committed consumer sees every record exactly
 * once; the replica built by the sink equals the source. The task's producer is throttled by a broker quota
 * so that the layer takes long enough to be killed in the middle of it.
 */
class WorkerRestartIT {
    private static final String SOURCE = "vhd-source";
    private static final String SINK = "vhd-replica";
    private static final long RESUME_LIMIT_MS = 60_000;

    @TempDir
    Path tmp;

    @Test
    void aKilledWorkerIsBackWithinAMinuteAndNothingIsLostOrRepeated() throws Exception {
        Path repo = Path.of(System.getProperty("vhdstream.repo.dir", "..")).toAbsolutePath().normalize();
        Path pluginDir = Path.of(System.getProperty("vhdstream.plugin.dir", "target/plugin")).toAbsolutePath();
        assertTrue(Files.isDirectory(pluginDir.resolve("vhdstream-connector")), "run mvn package first");
        Path root = tmp.resolve("root");
        List<Path> chain = bigBaseChain(root.resolve("vm"));
        String disk = ConnectTestSupport.uniqueId(chain.get(0)).toString();
        Path replica = tmp.resolve("replica");
        Path logs = Path.of(System.getProperty("vhdstream.it.worker.log", "target/it-worker.log")).toAbsolutePath().getParent();

        EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(1, ConnectTestSupport.brokerProps());
        kafka.start();
        Process worker = null;
        try (Tail tail = new Tail(kafka.bootstrapServers(), "vhdstream-blocks")) {
            Map<String, String> src = json(repo.resolve("config/vhd-source-connector.json"));
            Map<String, String> sink = json(repo.resolve("config/vhd-replica-sink-connector.json"));
            kafka.createTopic(src.get("topic"), 1);
            kafka.createTopic(src.get("errors.topic"), 1);
            kafka.createTopic(sink.get("errors.deadletterqueue.topic.name"), 1);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                List<ClientQuotaAlteration> slow = new ArrayList<>();
                for (int t = 0; t < Integer.parseInt(src.get("tasks.max")); t++) {
                    slow.add(new ClientQuotaAlteration(new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID,
                            "connector-producer-" + SOURCE + "-" + t)), List.of(new ClientQuotaAlteration.Op("producer_byte_rate", 3e6))));
                }
                admin.alterClientQuotas(slow).all().get(30, TimeUnit.SECONDS);
            }
            int port = freePort();
            Path workerProps = workerProps(repo, pluginDir, kafka.bootstrapServers(), port);
            worker = startWorker(workerProps, logs.resolve("restart-worker-1.log"));
            waitForRest(port, worker, logs.resolve("restart-worker-1.log"));
            src.put("roots", root.toString());
            sink.put("replica.dir", replica.toString());
            put(port, SOURCE, src);
            put(port, SINK, sink);

            // Mid-layer: some of the base committed, more sent in the open transaction, the base not finished.
            long deadline = System.currentTimeMillis() + 180_000;
            while (!(tail.dataRecords() > 0 && tail.layersEnded() == 0 && tail.openTransaction())) {
                assertTrue(System.currentTimeMillis() < deadline, "the source never got into the middle of the base: "
                        + tail.records.size() + " records committed, " + tail.layersEnded() + " layers ended");
                assertTrue(worker.isAlive(), "the worker exited");
                tail.poll();
            }
            System.out.println("WorkerRestartIT: killing the worker after " + tail.dataRecords() + " committed records");
            worker.destroyForcibly(); // SIGKILL
            assertTrue(worker.waitFor(30, TimeUnit.SECONDS));
            tail.catchUp(); // everything committed before the kill
            int beforeRestart = tail.records.size();

            long started = System.currentTimeMillis();
            worker = startWorker(workerProps, logs.resolve("restart-worker-2.log"));
            while (tail.records.size() == beforeRestart) {
                assertTrue(System.currentTimeMillis() - started < RESUME_LIMIT_MS, "the restarted worker did not resume within "
                        + RESUME_LIMIT_MS + " ms of its start; log: " + logs.resolve("restart-worker-2.log"));
                assertTrue(worker.isAlive(), "the worker exited");
                tail.poll();
            }
            long resumedMs = tail.arrival.get(beforeRestart) - started;
            System.out.println("WorkerRestartIT: the restarted worker resumed the layer " + resumedMs + " ms after its start");
            assertNotEquals("start", Place.of(tail.records.get(beforeRestart)).kind(), "resumed in the middle of the layer");

            deadline = System.currentTimeMillis() + 240_000;
            Process alive = worker;
            while (tail.layersEnded() < 2 || ConnectTestSupport.sealedCount(replica, disk) < 2) {
                assertTrue(System.currentTimeMillis() < deadline, "the chain was not replicated after the restart: "
                        + tail.layersEnded() + " layers ended, " + ConnectTestSupport.sealedCount(replica, disk) + " sealed");
                assertTrue(alive.isAlive(), "the worker exited");
                tail.poll();
            }
            assertEquals(2, ConnectTestSupport.assertExactlyOnce(tail.records).size());
            assertEquals(-1, TestChains.compareExports(chain.get(1), ConnectTestSupport.replicaTop(replica, disk), tmp));
        } finally {
            if (worker != null) {
                worker.destroy();
                if (!worker.waitFor(20, TimeUnit.SECONDS)) {
                    worker.destroyForcibly();
                }
            }
            kafka.stop();
        }
    }

    /** A base with 40 MiB of data (about 14 s at the quota), a child with a little, and the active leaf. */
    private static List<Path> bigBaseChain(Path dir) throws IOException {
        Files.createDirectories(dir);
        Random r = new Random(95);
        long size = 64 * TestChains.MIB;
        Path base = dir.resolve("w-base.vhd");
        VhdCreator.dynamic(base, size, 2 * TestChains.MIB);
        try (VhdImage img = VhdImage.open(base, OpenOptions.WRITE)) {
            for (long at = 0; at < 40 * TestChains.MIB; at += TestChains.MIB) {
                img.write(at, ByteBuffer.wrap(TestChains.random(r, (int) TestChains.MIB)));
            }
            img.sync();
        }
        Path child = dir.resolve("w-1.vhd");
        VhdCreator.differencing(child, base);
        TestChains.fill(child, size, r);
        VhdCreator.differencing(dir.resolve("w-2.vhd"), child);
        return List.of(base, child);
    }

    /** The shipped worker configuration, pointed at the test broker, a free port and the built plugin. */
    private Path workerProps(Path repo, Path pluginDir, String bootstrap, int port) throws IOException {
        Properties w = new Properties();
        try (var in = Files.newBufferedReader(repo.resolve("config/connect-distributed.properties"))) {
            w.load(in);
        }
        w.put("bootstrap.servers", bootstrap);
        w.put("plugin.path", pluginDir.toString());
        w.put("listeners", "http://127.0.0.1:" + port);
        for (String k : List.of("config", "offset", "status")) {
            w.put(k + ".storage.replication.factor", "1"); // one broker
        }
        Path file = tmp.resolve("worker.properties");
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.store(out, null);
        }
        return file;
    }

    private Process startWorker(Path props, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-Dlog4j2.configurationFile=" + Path.of("src/test/resources/log4j2-worker.properties").toAbsolutePath());
        cmd.add("-Dvhdstream.test.log=" + log.resolveSibling(log.getFileName() + ".detail"));
        cmd.add("-cp");
        cmd.add(PluginPackagingIT.stockWorkerClassPath());
        cmd.add("org.apache.kafka.connect.cli.ConnectDistributed");
        cmd.add(props.toString());
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void waitForRest(int port, Process worker, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            assertTrue(worker.isAlive(), () -> "the worker exited: " + read(log));
            assertTrue(System.currentTimeMillis() < deadline, () -> "the worker's REST API never answered: " + read(log));
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/connectors"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(250);
        }
    }

    private static void put(int port, String name, Map<String, String> config) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Map<String, String> c = new HashMap<>(config);
        c.put("name", name);
        String body = new ObjectMapper().writeValueAsString(c);
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/connectors/" + name + "/config"))
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200 || r.statusCode() == 201) {
                return;
            }
            // 409 while the worker is still joining its group
            assertTrue(r.statusCode() == 409 && System.currentTimeMillis() < deadline, "PUT " + name + ": " + r.statusCode() + " " + r.body());
            Thread.sleep(500);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> json(Path file) throws IOException {
        return new HashMap<>(new ObjectMapper().readValue(file.toFile(), Map.class));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The topic as a read_committed consumer sees it, with when each record arrived; and whether a transaction is open. */
    private static final class Tail implements AutoCloseable {
        final List<BlockEvent> records = new ArrayList<>();
        final List<Long> arrival = new ArrayList<>();
        private final KafkaConsumer<byte[], byte[]> committed;
        private final KafkaConsumer<byte[], byte[]> uncommitted;
        private final TopicPartition tp;

        Tail(String bootstrap, String topic) {
            tp = new TopicPartition(topic, 0);
            committed = consumer(bootstrap, "read_committed");
            uncommitted = consumer(bootstrap, "read_uncommitted");
        }

        private KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String isolation) {
            Map<String, Object> p = new HashMap<>();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
            p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 << 20);
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArrayDeserializer");
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArrayDeserializer");
            return new KafkaConsumer<>(p);
        }

        void poll() {
            if (committed.assignment().isEmpty()) {
                if (committed.partitionsFor(tp.topic()).isEmpty()) {
                    return;
                }
                committed.assign(List.of(tp));
                committed.seekToBeginning(List.of(tp));
            }
            for (ConsumerRecord<byte[], byte[]> r : committed.poll(Duration.ofMillis(200))) {
                records.add(BlockEvents.decode(r.value()));
                arrival.add(System.currentTimeMillis());
            }
        }

        /** Reads up to the last stable offset (which a dead task's open transaction holds where it began). */
        void catchUp() {
            long lso = committed.endOffsets(List.of(tp)).get(tp);
            long deadline = System.currentTimeMillis() + 30_000;
            while (committed.position(tp) < lso) {
                assertTrue(System.currentTimeMillis() < deadline, "cannot read up to " + lso);
                poll();
            }
        }

        long dataRecords() {
            return records.stream().filter(e -> Place.of(e).extentIndex() >= 0 && !Place.of(e).kind().equals("end")).count();
        }

        long layersEnded() {
            return records.stream().filter(e -> Place.of(e).kind().equals("end")).count();
        }

        /** Records past the last stable offset: a transaction is open. */
        boolean openTransaction() {
            long hw = uncommitted.endOffsets(List.of(tp)).get(tp);
            long lso = committed.endOffsets(List.of(tp)).get(tp);
            return hw > lso;
        }

        @Override
        public void close() {
            committed.close();
            uncommitted.close();
        }
    }
}
