package io.vhdstream.topology.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka broker as users run one: its own JVM ({@code kafka.Kafka}), storage formatted with
 * {@code kafka.tools.StorageTool}, and the settings of the distribution's {@code config/server.properties}
 * (combined broker and controller, Kafka's defaults otherwise: {@code group.initial.rebalance.delay.ms} 3 s,
 * 100 KiB socket buffers, 1 MiB {@code message.max.bytes}), only ports and the log directory changed, and whatever
 * the caller puts over them (a run states those: {@link #settings}).
 */
final class StockBroker implements AutoCloseable {
    /** The distribution's config/server.properties (Kafka 4.x, KRaft combined mode), comments left out. */
    static final String STOCK = """
            process.roles=broker,controller
            node.id=1
            controller.quorum.bootstrap.servers=127.0.0.1:%2$d
            listeners=PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d
            inter.broker.listener.name=PLAINTEXT
            advertised.listeners=PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d
            controller.listener.names=CONTROLLER
            listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
            num.network.threads=3
            num.io.threads=8
            socket.send.buffer.bytes=102400
            socket.receive.buffer.bytes=102400
            socket.request.max.bytes=104857600
            log.dirs=%3$s
            num.partitions=1
            num.recovery.threads.per.data.dir=1
            offsets.topic.replication.factor=1
            share.coordinator.state.topic.replication.factor=1
            share.coordinator.state.topic.min.isr=1
            transaction.state.log.replication.factor=1
            transaction.state.log.min.isr=1
            log.retention.hours=168
            log.segment.bytes=1073741824
            log.retention.check.interval.ms=300000
            """;

    /** The distribution's value of the broker setting that delays a new group's first rebalance. */
    static final String INITIAL_DELAY = "group.initial.rebalance.delay.ms";

    private final Process process;
    private final int port;
    private final Map<String, String> overrides;

    private StockBroker(Process process, int port, Map<String, String> overrides) {
        this.process = process;
        this.port = port;
        this.overrides = Map.copyOf(overrides);
    }

    /** {@code overrides}: broker settings over the stock file's (e.g. {@value #INITIAL_DELAY}=0). */
    static StockBroker start(Path dir, String classPath, Map<String, String> overrides) throws Exception {
        Files.createDirectories(dir);
        int port = freePort();
        int controller = freePort();
        Path props = dir.resolve("server.properties");
        StringBuilder extra = new StringBuilder();
        overrides.forEach((k, v) -> extra.append(k).append('=').append(v).append('\n'));
        Files.writeString(props, String.format(STOCK, port, controller, dir.resolve("kafka-logs")) + extra);
        Path log = dir.resolve("broker.log");
        run(List.of(java(), "-cp", classPath, "kafka.tools.StorageTool", "format", "-t", UUID.randomUUID().toString()
                .replace("-", "").substring(0, 22), "-c", props.toString(), "--standalone"), log);
        // KAFKA_HEAP_OPTS of kafka-server-start.sh
        ProcessBuilder pb = new ProcessBuilder(java(), "-Xmx1G", "-Xms1G", "-cp", classPath, "kafka.Kafka", props.toString());
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        StockBroker b = new StockBroker(pb.start(), port, overrides);
        b.awaitReady(log);
        return b;
    }

    /** What a run states about the broker: the stock file, and each setting put over it. */
    String settings() {
        return "stock server.properties" + (overrides.isEmpty() ? "" : " with " + overrides) + "; " + INITIAL_DELAY + " "
                + overrides.getOrDefault(INITIAL_DELAY, "3000 (Kafka's default)");
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    private void awaitReady(Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        try (Admin a = admin()) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the broker died; see " + log);
                }
                try {
                    if (!a.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    Thread.sleep(200);
                }
            }
        }
        throw new IllegalStateException("the broker did not start within 2 minutes; see " + log);
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static void run(List<String> cmd, Path log) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " failed; see " + log);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
