package io.vhdstream.embedded;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node KRaft Kafka broker (broker and controller in one) running in this JVM, from the
 * Maven Central jars: the "no servers to install" default. It listens on 127.0.0.1 only.
 *
 * <p>Single-node settings Streams' exactly-once needs (replication factor 1 for the offsets and
 * transaction topics) are set here; without them Streams never leaves REBALANCING.
 *
 * <p>Started {@code secured}, its client listener requires TLS and SASL/SCRAM ({@link BrokerSecurity}: a
 * self-signed certificate and one user, made on first start); {@link #clientSettings()} connects.
 */
public final class EmbeddedBroker implements AutoCloseable {
    /** Records carry up to 512 KiB of block data plus headers; room for that and batching. */
    public static final int MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

    private final Path dataDir;
    private final int port;
    private final KafkaRaftServer server;
    private final BrokerSecurity security;

    private EmbeddedBroker(Path dataDir, int port, KafkaRaftServer server, BrokerSecurity security) {
        this.dataDir = dataDir;
        this.port = port;
        this.server = server;
        this.security = security;
    }

    /** Formats {@code dataDir} when it is new and starts the broker; port 0 picks a free port. */
    public static EmbeddedBroker start(Path dataDir, int port) throws IOException {
        return start(dataDir, port, false);
    }

    /**
     * Like {@link #start(Path, int)}; with {@code secured} the client listener is SASL_SSL (SCRAM-SHA-256) instead
     * of PLAINTEXT. A data directory first started without it cannot be secured later (the user is created with
     * the cluster's metadata).
     */
    public static EmbeddedBroker start(Path dataDir, int port, boolean secured) throws IOException {
        // The broker calls Exit on fatal errors; in-process that would kill the user's JVM without a word.
        Exit.setExitProcedure((status, message) -> {
            throw new IllegalStateException("embedded Kafka broker wanted to exit (" + status + "): " + message);
        });
        Exit.setHaltProcedure((status, message) -> {
            throw new IllegalStateException("embedded Kafka broker wanted to halt (" + status + "): " + message);
        });
        Files.createDirectories(dataDir);
        int brokerPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        Path logDir = dataDir.resolve("kafka-logs");
        boolean formatted = Files.exists(logDir.resolve("meta.properties"));
        Path securityDir = dataDir.resolve("security");
        if (secured && formatted && !Files.exists(securityDir)) {
            throw new IOException(dataDir + " holds a broker first started without TLS and SASL; secure a new data directory");
        }
        BrokerSecurity security = secured ? BrokerSecurity.loadOrCreate(securityDir) : null;
        String listener = secured ? "SASL_SSL" : "PLAINTEXT";
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", listener + "://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", listener + "://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", listener);
        p.put("listener.security.protocol.map", listener + ":" + listener + ",CONTROLLER:PLAINTEXT");
        if (security != null) {
            p.putAll(security.brokerSettings(listener));
        }
        p.put("log.dirs", logDir.toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        p.put("message.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));
        p.put("replica.fetch.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));
        p.put("auto.create.topics.enable", "false");
        KafkaConfig config = KafkaConfig.fromProps(p, false);
        if (!formatted) {
            format(logDir, security == null ? List.of() : security.scramArguments());
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        EmbeddedBroker b = new EmbeddedBroker(dataDir, brokerPort, server, security);
        b.awaitReady();
        return b;
    }

    private static void format(Path logDir, List<String> scram) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new Formatter().setPrintStream(new PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8))
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setNodeId(1)
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(logDir.toString())
                    .setDirectories(java.util.List.of(logDir.toString()))
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setScramArguments(scram)
                    .run();
        } catch (Exception e) {
            throw new IOException("could not format the embedded broker's storage in " + logDir + ": " + e.getMessage()
                    + " " + out.toString(java.nio.charset.StandardCharsets.UTF_8), e);
        }
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Admin admin = Admin.create(new java.util.HashMap<String, Object>(clientSettings()))) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("embedded broker did not become ready in 60 s", e);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the embedded broker", e);
                }
            }
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Everything a client needs to connect: bootstrap servers and, when secured, the TLS and SASL settings. */
    public Map<String, String> clientSettings() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        if (security != null) {
            m.putAll(security.clientSettings());
        }
        return m;
    }

    /** The security material when secured (its client properties file, certificate), else empty. */
    public java.util.Optional<BrokerSecurity> security() {
        return java.util.Optional.ofNullable(security);
    }

    /** Creates the topics that do not exist yet, with a max message size that fits block records. */
    public void createTopics(Map<String, Integer> partitionsByTopic) throws IOException {
        createTopics(clientSettings(), partitionsByTopic);
    }

    /** The same, on any cluster (replication factor 1: for the demo and tests, not for production topics). */
    public static void createTopics(String bootstrapServers, Map<String, Integer> partitionsByTopic) throws IOException {
        createTopics(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), partitionsByTopic);
    }

    /** The same, with full client settings (TLS, SASL). */
    public static void createTopics(Map<String, ?> clientSettings, Map<String, Integer> partitionsByTopic) throws IOException {
        try (Admin admin = Admin.create(new java.util.HashMap<String, Object>(clientSettings))) {
            for (Map.Entry<String, Integer> t : partitionsByTopic.entrySet()) {
                NewTopic topic = new NewTopic(t.getKey(), t.getValue(), (short) 1)
                        .configs(Map.of("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES)));
                try {
                    admin.createTopics(java.util.List.of(topic)).all().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IOException("could not create topic " + t.getKey() + ": " + e.getCause().getMessage(), e);
                    }
                } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
                    throw new IOException("could not create topic " + t.getKey() + ": " + e, e);
                }
            }
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
