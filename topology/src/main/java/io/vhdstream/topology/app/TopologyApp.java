package io.vhdstream.topology.app;

import io.vhdstream.topology.DiskTopology;
import io.vhdstream.topology.config.ClusterConnection;
import io.vhdstream.topology.config.ClusterProblem;
import io.vhdstream.topology.config.TopicChecks;
import io.vhdstream.topology.config.TopicFinding;
import io.vhdstream.topology.config.TopicSetup;
import io.vhdstream.topology.config.TopicSpec;
import io.vhdstream.topology.config.TopologyConfig;
import io.vhdstream.topology.recovery.KafkaCheckpointLog;
import io.vhdstream.topology.recovery.KafkaInputLog;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * Runs the topology as a Kafka Streams application until it is closed or fails: the library entry point
 * behind {@code vhdstream topology}. A processing error (an I/O error on the layers, say) stops the
 * whole client rather than one thread, so nothing is skipped; {@link #failure()} tells why.
 *
 * <pre>
 * try (TopologyApp app = TopologyApp.start(TopologyConfig.load(Path.of("config/topology.properties")))) {
 *     app.awaitStopped();              // until close() from another thread (e.g. a shutdown hook) or a failure
 * }
 * </pre>
 *
 * {@link #close()} keeps a static member in the consumer group and takes a dynamic one out of it: either way a
 * restarted instance does not wait out the session timeout.
 */
public final class TopologyApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TopologyApp.class);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(60);

    private final TopologyConfig config;
    private final KafkaStreams streams;
    private final KafkaInputLog.Shared inputLog = new KafkaInputLog.Shared();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch running = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CopyOnWriteArrayList<BiConsumer<KafkaStreams.State, KafkaStreams.State>> listeners =
            new CopyOnWriteArrayList<>();

    private TopologyApp(TopologyConfig config) {
        this.config = config;
        this.streams = new KafkaStreams(DiskTopology.build(config, inputLog,
                KafkaCheckpointLog.factory(config.checkpointsTopic())), config.streamsProperties());
        streams.setUncaughtExceptionHandler(e -> {
            failure.compareAndSet(null, e);
            log.error("the topology failed; stopping the application", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            log.info("state {} -> {}", before, now);
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
            for (BiConsumer<KafkaStreams.State, KafkaStreams.State> l : listeners) {
                l.accept(now, before);
            }
        });
    }

    /** Validates the configuration, creates missing topics if configured to, and starts the application. */
    public static TopologyApp start(Properties props) throws IOException {
        return start(props, null);
    }

    /** Like {@link #start(Properties)}, with a state listener registered before the start. */
    public static TopologyApp start(Properties props, BiConsumer<KafkaStreams.State, KafkaStreams.State> listener)
            throws IOException {
        TopologyConfig config = TopologyConfig.of(props);
        Files.createDirectories(config.layersDir());
        checkCluster(config);
        TopologyApp app = new TopologyApp(config);
        if (listener != null) {
            app.listeners.add(listener);
        }
        app.streams.start();
        return app;
    }

    /** How long the application waits at start-up for an unreachable cluster before it gives up. */
    public static final Duration STARTUP_WAIT = Duration.ofSeconds(30);

    /**
     * Before Streams starts: the cluster answers with these settings (else {@link ClusterProblem} within
     * {@link #STARTUP_WAIT}, with progress in the log), and the topics exist (created first if configured to).
     */
    private static void checkCluster(TopologyConfig config) throws IOException {
        Map<String, Object> admin = new StreamsConfig(config.streamsProperties()).getAdminConfigs("vhdstream-topology-check");
        List<TopicSpec> specs = TopicSetup.specs(config);
        try (ClusterConnection c = ClusterConnection.open(admin, STARTUP_WAIT, line -> log.warn("{}", line))) {
            if (config.createTopics()) {
                TopicSetup.ensure(c.admin(), specs);
            }
            TopicChecks.Survey survey = TopicChecks.survey(c.admin(), specs);
            List<TopicFinding> findings = survey.findings();
            // differences that may be on purpose (more partitions, another replication factor)
            findings.stream().filter(f -> !f.error()).forEach(f -> log.info("{}", f));
            boolean missing = findings.stream().anyMatch(f -> f.error() && f.message().equals(TopicChecks.MISSING));
            ClusterProblem p = TopicChecks.asProblem(findings, missing && !config.createTopics()
                    ? TopicChecks.FIX + ", or start the topology with " + TopologyConfig.TOPICS_CREATE_CONFIG + "=true"
                    : TopicChecks.FIX);
            if (p == null) {
                // else Streams finds out at its first commit, 60 s later, as a transaction failure
                Map<String, List<AclOperation>> needed = new LinkedHashMap<>();
                needed.put(config.commandsTopic(), List.of(AclOperation.READ));
                needed.putIfAbsent(config.layersTopic(), List.of(AclOperation.WRITE));
                needed.putIfAbsent(config.deadLetterTopic(), List.of(AclOperation.WRITE));
                needed.putIfAbsent(config.checkpointsTopic(), List.of(AclOperation.READ, AclOperation.WRITE));
                p = TopicChecks.accessProblem(survey, needed);
            }
            if (p != null) {
                throw p;
            }
            int partitions = survey.existing().get(config.commandsTopic()).partitions().size();
            PartitionCountGuard.check(config.layersDir(), config.commandsTopic(), partitions);
        }
    }

    /** Reads a properties file, applies {@code overrides} over it, and starts. */
    public static TopologyApp start(Path configFile, Map<String, String> overrides) throws IOException {
        Properties p = TopologyConfig.load(configFile);
        p.putAll(overrides);
        return start(p);
    }

    public TopologyConfig config() {
        return config;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** The Streams client, for metrics and interactive inspection. */
    public KafkaStreams streams() {
        return streams;
    }

    /** Waits until the application is RUNNING (its tasks assigned); false on timeout or if it stopped first. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (running.await(50, TimeUnit.MILLISECONDS)) {
                return streams.state() == KafkaStreams.State.RUNNING || streams.state() == KafkaStreams.State.REBALANCING;
            }
            if (stopped.getCount() == 0) {
                return false;
            }
        }
        return false;
    }

    /** Blocks until the application stopped (closed, or failed: see {@link #failure()}). */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Why the application stopped on its own, if it did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /**
     * Closes cleanly: commits and checkpoints the layer stores. A dynamic member leaves the consumer group (a
     * restarted instance would otherwise wait out the session timeout); a static one stays, so that a restart
     * takes its tasks back without a rebalance (see {@code vhdstream.static.membership}).
     */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    public boolean close(Duration timeout) {
        CloseOptions.GroupMembershipOperation membership = config.staticMember()
                ? CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP : CloseOptions.GroupMembershipOperation.LEAVE_GROUP;
        boolean done = streams.close(CloseOptions.groupMembershipOperation(membership).withTimeout(timeout));
        inputLog.close();
        stopped.countDown();
        return done;
    }

    /**
     * Runs the application in this process until the process is stopped (a shutdown hook closes it cleanly).
     * Arguments: a properties file, then {@code key=value} overrides. Prints {@code STATE <state>} lines to
     * standard output on each state change (scripts and the kill test wait for {@code STATE RUNNING}). Exits
     * with 1 if the application failed.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: TopologyApp <topology.properties> [key=value ...]");
            System.exit(2);
        }
        Properties p = TopologyConfig.load(Path.of(args[0]));
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                System.err.println("not key=value: " + args[i]);
                System.exit(2);
            }
            p.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        TopologyApp app = start(p, (now, before) -> out.println("STATE " + now));
        Thread hook = new Thread(app::close, "vhdstream-topology-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        app.awaitStopped();
        if (app.failure().isPresent()) {
            System.exit(1);
        }
    }
}
