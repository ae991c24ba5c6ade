package io.vhdstream.topology.bench;

import io.vhdstream.topology.config.TopicSetup;
import io.vhdstream.topology.config.TopicSpec;
import io.vhdstream.topology.produce.WorkloadProducer;
import io.vhdstream.topology.produce.WorkloadSpec;
import io.vhdstream.topology.support.Scenario;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Start, restart and catch-up of the topology as deployed: a stock broker in its own JVM ({@link StockBroker}),
 * {@code vhdstream topology} as a process with the shipped config/topology.properties (only the broker address,
 * the directories, the application id and the topic names are set on the command line, so that each round
 * starts from nothing), the topics as config/topics.properties describes them.
 *
 * <p>Each round measures, from the start of the process:
 * <ol>
 * <li><b>empty</b>: RUNNING with no layer directory and a new consumer group;</li>
 * <li><b>warm</b>: RUNNING after a clean stop (SIGTERM);</li>
 * <li><b>after kill</b>: RUNNING after kill -9 of a RUNNING instance;</li>
 * <li><b>catch-up</b>: with the instance stopped, a backlog of 64 KiB Writes is produced (one disk per
 * partition); then the time until the group committed the end of the backlog (every command applied and its
 * transaction committed), against the wall-clock time of Kafka's own {@code kafka-consumer-perf-test}
 * ({@code org.apache.kafka.tools.ConsumerPerformance}, with the JVM options of its script and its default
 * consumer settings) reading the same records from a group positioned at the backlog's start. The two
 * alternate which goes first.</li>
 * </ol>
 * Run with {@code topology/restart-bench.sh [MiB] [rounds]}.
 */
public final class RestartBench {
    static final long MIB = 1 << 20;
    static final int WRITE = 64 * 1024;

    record Round(double empty, double warm, double afterKill, double catchUpRunning, double catchUp, double perf,
                 double catchUpCpu, double perfCpu) {
        double ratio() {
            return perf / catchUp;
        }

        /** The same ratio in CPU time (user + sys of each process): what a loaded machine does not distort. */
        double cpuRatio() {
            return perfCpu / catchUpCpu;
        }
    }

    /** A process's CPU time so far (user + sys), in seconds. */
    static double cpuSeconds(ProcessHandle p) {
        return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    private final Path repo;
    private final Path work;
    private final String classPath;
    private final String toolsJar;
    private final long backlogMiB;
    private final Map<String, String> extra;
    private final Map<String, String> brokerExtra;

    /**
     * {@code extra}: topology settings over the shipped file's, {@code brokerExtra}: broker settings over the stock
     * file's; for experiments ({@code -Dvhdstream.bench.props}, {@code -Dvhdstream.bench.broker}).
     */
    RestartBench(Path repo, Path work, String classPath, String toolsJar, long backlogMiB, Map<String, String> extra,
                 Map<String, String> brokerExtra) {
        this.extra = Map.copyOf(extra);
        this.brokerExtra = Map.copyOf(brokerExtra);
        this.repo = repo;
        this.work = work;
        this.classPath = classPath;
        this.toolsJar = toolsJar;
        this.backlogMiB = backlogMiB;
    }

    List<Round> run(int rounds, java.util.function.Consumer<String> out) throws Exception {
        List<Round> results = new ArrayList<>();
        // The launcher builds the CLI when its sources changed, and makes the topology's start-up archive once per
        // build: both before anything is timed, as an installed topology has them.
        StockBroker.run(List.of(repo.resolve("vhdstream").toString(), "topology", "--help"), work.resolve("build.log"));
        try (StockBroker broker = StockBroker.start(work.resolve("broker"), classPath, brokerExtra)) {
            // Stated with every run: a new group's first start waits the broker's initial rebalance delay.
            out.accept("broker: " + broker.settings() + (extra.isEmpty() ? "" : "; topology settings over the shipped file: " + extra));
            for (int r = 1; r <= rounds; r++) {
                Round round = round(broker, r, out);
                results.add(round);
                out.accept(String.format(Locale.ROOT, "round %d: RUNNING empty %.2f s, warm %.2f s, after kill -9 %.2f s;"
                                + " catch-up of %d MiB: topology %.2f s (RUNNING at %.2f s), kafka-consumer-perf-test %.2f s,"
                                + " ratio %.2f; CPU topology %.2f s, perf-test %.2f s, ratio %.2f", r, round.empty(), round.warm(),
                        round.afterKill(), backlogMiB, round.catchUp(), round.catchUpRunning(), round.perf(), round.ratio(),
                        round.catchUpCpu(), round.perfCpu(), round.cpuRatio()));
            }
        }
        return results;
    }

    private Round round(StockBroker broker, int r, java.util.function.Consumer<String> out) throws Exception {
        String app = "bench-r" + r;
        Map<String, String> topics = Map.of("commands", app + "-commands", "layers", app + "-layers",
                "dead-letters", app + "-dead-letters", "checkpoints", app + "-checkpoints");
        createTopics(broker, topics);
        Path dir = work.resolve(app);
        Files.createDirectories(dir);
        Path log = dir.resolve("topology.log");
        Map<String, String> set = new LinkedHashMap<>();
        set.put("bootstrap.servers", broker.bootstrapServers());
        set.put("application.id", app);
        set.put("state.dir", dir.resolve("state").toString());
        set.put("vhdstream.layers.dir", dir.resolve("layers").toString());
        set.put("vhdstream.topic.commands", topics.get("commands"));
        set.put("vhdstream.topic.layers", topics.get("layers"));
        set.put("vhdstream.topic.dead.letters", topics.get("dead-letters"));
        set.put("vhdstream.topic.checkpoints", topics.get("checkpoints"));
        set.putAll(extra);
        Duration limit = Duration.ofMinutes(3);

        double empty;
        try (TopologyProcess t = TopologyProcess.start(repo, set, log)) {
            empty = t.awaitState("RUNNING", limit, log);
            t.stop();
        }
        double warm;
        try (TopologyProcess t = TopologyProcess.start(repo, set, log)) {
            warm = t.awaitState("RUNNING", limit, log);
            t.kill();
        }
        double afterKill;
        try (TopologyProcess t = TopologyProcess.start(repo, set, log)) {
            afterKill = t.awaitState("RUNNING", limit, log);
            t.stop();
        }

        // printed now too: a catch-up that fails (see its limit) still leaves the start-up numbers
        out.accept(String.format(Locale.ROOT, "round %d: RUNNING empty %.2f s, warm %.2f s, after kill -9 %.2f s", r, empty,
                warm, afterKill));
        String commands = topics.get("commands");
        int partitions = TopicSetup.parse(topicsFile()).stream().filter(s -> s.role().equals(TopicSetup.COMMANDS))
                .findFirst().orElseThrow().partitions();
        Map<TopicPartition, Long> start = offsets(broker, commands, partitions, OffsetSpec.latest());
        long records = produce(broker, commands, partitions, r);
        Map<TopicPartition, Long> end = offsets(broker, commands, partitions, OffsetSpec.latest());
        String perfGroup = app + "-perf";
        try (Admin a = broker.admin()) {
            Map<TopicPartition, OffsetAndMetadata> at = new HashMap<>();
            start.forEach((tp, o) -> at.put(tp, new OffsetAndMetadata(o)));
            a.alterConsumerGroupOffsets(perfGroup, at).all().get(30, TimeUnit.SECONDS);
        }
        double[] perf = null;
        if (r % 2 == 0) {
            perf = perf(broker, commands, records, perfGroup, dir.resolve("perf.log"));
        }
        double running;
        double caughtUp;
        double cpu;
        try (TopologyProcess t = TopologyProcess.start(repo, set, log)) {
            caughtUp = awaitCommitted(broker, app, end, t.startNanos(), limit);
            cpu = t.cpuSeconds();
            running = t.awaitState("RUNNING", limit, log);
            t.stop();
        }
        if (r % 2 == 1) {
            perf = perf(broker, commands, records, perfGroup, dir.resolve("perf.log"));
        }
        return new Round(empty, warm, afterKill, running, caughtUp, perf[0], cpu, perf[1]);
    }

    private Properties topicsFile() throws Exception {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(repo.resolve("config/topics.properties"))) {
            p.load(in);
        }
        return p;
    }

    /** The topics of config/topics.properties, under this round's names. */
    private void createTopics(StockBroker broker, Map<String, String> names) throws Exception {
        List<TopicSpec> specs = new ArrayList<>();
        for (TopicSpec s : TopicSetup.parse(topicsFile())) {
            if (!TopicSetup.TOPOLOGY_ROLES.contains(s.role())) {
                continue;
            }
            specs.add(new TopicSpec(s.role(), names.getOrDefault(s.role(), s.name()), s.partitions(), s.replicationFactor(),
                    s.configs()));
        }
        try (Admin a = broker.admin()) {
            TopicSetup.ensure(a, specs);
        }
    }

    /** One disk per partition, {@code backlogMiB} of 64 KiB Writes in all (half sequential, half random), no snapshot but the last. */
    private long produce(StockBroker broker, String topic, int partitions, int round) throws Exception {
        long perDisk = backlogMiB * MIB / partitions;
        try (WorkloadProducer p = WorkloadProducer.connect(broker.bootstrapServers(), topic, Map.of())) {
            for (String id : Scenario.diskIdsOnePerPartition("bench-r" + round, partitions)) {
                p.sendWorkload(new WorkloadSpec(id, perDisk, 2 << 20, perDisk, WRITE, 0.5, 0.0, 0, 0, round, "s"));
            }
            p.flush();
            return p.sent();
        }
    }

    /** Wall-clock seconds and CPU seconds (sampled every 20 ms until it exits, so up to 20 ms short). */
    private double[] perf(StockBroker broker, String topic, long records, String group, Path log) throws Exception {
        // The JVM options kafka-consumer-perf-test.sh and kafka-run-class.sh use.
        List<String> cmd = List.of(StockBroker.java(), "-Xmx512M", "-server", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
                "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent", "-XX:MaxInlineLevel=15",
                "-Djava.awt.headless=true", "-cp", toolsJar + java.io.File.pathSeparator + classPath,
                "org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server", broker.bootstrapServers(), "--topic", topic,
                "--num-records", String.valueOf(records), "--group", group, "--timeout", "120000");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        double cpu = 0;
        long deadline = t0 + Duration.ofMinutes(3).toNanos();
        while (!p.waitFor(20, TimeUnit.MILLISECONDS)) {
            cpu = Math.max(cpu, cpuSeconds(p.toHandle()));
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("kafka-consumer-perf-test did not finish within 3 minutes; see " + log);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        if (p.exitValue() != 0) {
            throw new IllegalStateException("kafka-consumer-perf-test failed (" + p.exitValue() + "); see " + log);
        }
        List<String> lines = Files.readAllLines(log);
        if (lines.stream().anyMatch(l -> l.contains("Exiting before consuming"))) {
            throw new IllegalStateException("kafka-consumer-perf-test did not read all " + records + " records; see " + log);
        }
        return new double[] {secs, cpu};
    }

    private static Map<TopicPartition, Long> offsets(StockBroker broker, String topic, int partitions, OffsetSpec spec)
            throws Exception {
        Map<TopicPartition, OffsetSpec> q = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            q.put(new TopicPartition(topic, p), spec);
        }
        Map<TopicPartition, Long> out = new HashMap<>();
        try (Admin a = broker.admin()) {
            a.listOffsets(q).all().get(30, TimeUnit.SECONDS).forEach((tp, i) -> out.put(tp, i.offset()));
        }
        return out;
    }

    /** Seconds from {@code startNanos} until the group committed {@code end} on every partition. */
    private static double awaitCommitted(StockBroker broker, String group, Map<TopicPartition, Long> end, long startNanos,
                                         Duration limit) throws Exception {
        try (Admin a = broker.admin()) {
            long deadline = startNanos + limit.toNanos();
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> c = a.listConsumerGroupOffsets(group,
                        new ListConsumerGroupOffsetsOptions().requireStable(true)).partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS);
                boolean done = end.entrySet().stream().allMatch(e -> c.get(e.getKey()) != null
                        && c.get(e.getKey()).offset() >= e.getValue());
                if (done) {
                    return (System.nanoTime() - startNanos) / 1e9;
                }
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("the topology did not commit " + end + " within " + limit);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static String summary(List<Round> rounds) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "medians over %d rounds (min-max):%n", rounds.size()));
        line(b, "RUNNING, empty store, new group (s)", rounds.stream().mapToDouble(Round::empty).toArray(), "aim <= 5");
        line(b, "RUNNING, warm store, after SIGTERM (s)", rounds.stream().mapToDouble(Round::warm).toArray(), "aim <= 5");
        line(b, "RUNNING after kill -9 (s)", rounds.stream().mapToDouble(Round::afterKill).toArray(), "aim <= 10");
        line(b, "catch-up: topology process (s)", rounds.stream().mapToDouble(Round::catchUp).toArray(), "");
        line(b, "catch-up: kafka-consumer-perf-test process (s)", rounds.stream().mapToDouble(Round::perf).toArray(), "");
        line(b, "catch-up ratio (perf-test time / topology time)", rounds.stream().mapToDouble(Round::ratio).toArray(),
                ">= 0.7, goal 0.9");
        line(b, "catch-up: topology CPU, user+sys (s)", rounds.stream().mapToDouble(Round::catchUpCpu).toArray(), "");
        line(b, "catch-up: perf-test CPU, user+sys (s)", rounds.stream().mapToDouble(Round::perfCpu).toArray(), "");
        line(b, "catch-up CPU ratio (perf-test / topology)", rounds.stream().mapToDouble(Round::cpuRatio).toArray(), "");
        return b.toString();
    }

    private static void line(StringBuilder b, String what, double[] v, String target) {
        b.append(String.format(Locale.ROOT, "  %-50s %6.2f  (%.2f-%.2f)  %s%n", what, median(v),
                Arrays.stream(v).min().orElse(0), Arrays.stream(v).max().orElse(0), target));
    }
}
