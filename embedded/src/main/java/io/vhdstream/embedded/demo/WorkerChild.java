package io.vhdstream.embedded.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A stock distributed Connect worker ({@code ConnectDistributed}) in a child JVM, with exactly-once source support
 * as shipped (config/connect-distributed.properties), the plugins found on the class path. Working once every
 * connector it was given has all its tasks RUNNING.
 */
final class WorkerChild extends ServiceChild {
    static final String SOURCE_RESYNCS = "source-resyncs-total";
    static final String REPLICA_RESYNCS = "replica-resyncs-total";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Path props;
    private final String rest;
    private final Map<String, Map<String, String>> connectors = new HashMap<>();
    /** The resync counters of the source and the sink (docs/operations.md), over every restart of the worker. */
    private final PluginTotals resyncs = new PluginTotals(List.of(SOURCE_RESYNCS, REPLICA_RESYNCS));

    WorkerChild(String bootstrapServers, String groupId, Path dir) throws IOException {
        super("connect worker", dir.resolve("connect.log"));
        int port = freePort();
        this.rest = "http://127.0.0.1:" + port;
        Properties w = new Properties();
        w.put("bootstrap.servers", bootstrapServers);
        w.put("group.id", groupId);
        w.put("plugin.discovery", "service_load");
        w.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        w.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        for (String k : List.of("config", "offset", "status")) {
            w.put(k + ".storage.topic", groupId + "-" + k + "s");
            w.put(k + ".storage.replication.factor", "1");   // one broker
        }
        w.put("exactly.once.source.support", "enabled");
        w.put("listeners", rest);
        w.put("producer.max.request.size", String.valueOf(io.vhdstream.embedded.EmbeddedBroker.MAX_MESSAGE_BYTES));
        w.put("consumer.max.partition.fetch.bytes", String.valueOf(io.vhdstream.embedded.EmbeddedBroker.MAX_MESSAGE_BYTES));
        this.props = dir.resolve("connect-distributed.properties");
        try (Writer out = Files.newBufferedWriter(props, StandardCharsets.UTF_8)) {
            w.store(out, "soak worker");
        }
    }

    @Override
    ChildJvm launch(Path log) throws IOException {
        return ChildJvm.start("org.apache.kafka.connect.cli.ConnectDistributed", List.of(props.toString()), "512m", log,
                line -> { });
    }

    @Override
    void beforeExit() {
        sampleResyncs();
        resyncs.jvmGone(pid());
    }

    /** Reads the resync metrics of the running worker (kept as of the last read when it does not answer). */
    void sampleResyncs() {
        long pid = pid();
        if (pid > 0 && alive()) {
            resyncs.sample(pid);
        }
    }

    /** Resyncs counted so far: {@link #SOURCE_RESYNCS} or {@link #REPLICA_RESYNCS}, as of the last sample. */
    long resyncs(String metric) {
        return resyncs.total(metric);
    }

    /** Registers a connector (kept in the worker's config topic, so a restarted worker runs it again). */
    void putConnector(String name, Map<String, String> config) throws IOException, InterruptedException {
        Map<String, String> c = new HashMap<>(config);
        c.put("name", name);
        String body = JSON.writeValueAsString(c);
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(rest + "/connectors/" + name + "/config"))
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200 || r.statusCode() == 201) {
                connectors.put(name, c);
                return;
            }
            // 409 while the worker is still joining its group
            if (r.statusCode() != 409 || System.nanoTime() > deadline) {
                throw new IOException("the worker refused connector " + name + ": " + r.statusCode() + " " + r.body());
            }
            Thread.sleep(500);
        }
    }

    @Override
    boolean working() {
        if (connectors.isEmpty()) {
            return get("/connectors") != null;
        }
        for (String name : connectors.keySet()) {
            JsonNode s = get("/connectors/" + name + "/status");
            if (s == null || !s.path("tasks").isArray() || s.path("tasks").isEmpty()) {
                return false;
            }
            for (JsonNode t : s.path("tasks")) {
                if (!"RUNNING".equals(t.path("state").asText())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** State of every task of every connector, for the report when something is not running. */
    String taskStates() {
        StringBuilder b = new StringBuilder();
        for (String name : connectors.keySet()) {
            JsonNode s = get("/connectors/" + name + "/status");
            b.append(name).append('=').append(s == null ? "?" : s.path("tasks").toString()).append(' ');
        }
        return b.toString().trim();
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(rest + path)).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;   // not up yet, or just killed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
