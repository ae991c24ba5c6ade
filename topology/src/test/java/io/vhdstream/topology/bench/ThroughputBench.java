package io.vhdstream.topology.bench;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Snapshot;
import io.vhdstream.topology.app.TopologyApp;
import io.vhdstream.topology.config.KafkaLimits;
import io.vhdstream.topology.processor.DiskCommandProcessor;
import io.vhdstream.topology.produce.WorkloadProducer;
import io.vhdstream.topology.produce.WorkloadSpec;
import io.vhdstream.topology.produce.Workloads;
import io.vhdstream.topology.support.TestBroker;
import io.vhdstream.topology.support.TopologySettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * One run on the in-process broker: write events (64 KiB Writes to one disk, half sequential, half random)
 * applied to layers by the topology (default configuration: exactly-once, one stream thread) against a bare
 * consumer reading the same backlog (read_committed, the same fetch sizes, no processing).
 *
 * <p>Rates are Write data MiB per second from the first record to the last (consumer: records polled;
 * topology: from the first record processed until every record was processed (Streams' {@code process-total})
 * and all Write data was in the layer files (the task metric {@code layer-bytes-written-total}: writes land on
 * a writer thread after their record was processed), so the one-off start-up (joining the group, the first
 * fetch) is in neither figure.
 * The topology's end-to-end rate, from RUNNING until the group committed the end offset, is reported too.
 *
 * <p>The machine may be shared and busy: the two passes alternate for several rounds and the medians are
 * reported with every round. Run with {@code topology/bench.sh [MiB] [rounds]} (defaults 2048, 6, after 2 warm-up rounds).
 */
public final class ThroughputBench {
    /** One round: the bare consumer, then the topology, over the same backlog. */
    public record Round(double consumerMiBs, double topologyMiBs, double topologyEndToEndMiBs, double consumerCpuSecs,
                        double topologyCpuSecs) {
        public double ratio() {
            return topologyMiBs / consumerMiBs;
        }
    }

    public record Result(long dataBytes, long records, int warmup, List<Round> rounds, long heapBaselineMiB, long heapPeakMiB,
                         long heapAfterMiB) {
        public double medianRatio() {
            return median(rounds.stream().mapToDouble(Round::ratio).toArray());
        }

        public double medianConsumer() {
            return median(rounds.stream().mapToDouble(Round::consumerMiBs).toArray());
        }

        public double medianTopology() {
            return median(rounds.stream().mapToDouble(Round::topologyMiBs).toArray());
        }

        private static double median(double[] v) {
            double[] s = v.clone();
            java.util.Arrays.sort(s);
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(String.format(
                    "%d MiB of 64 KiB writes (%d records), one partition, %d rounds after %d warm-up rounds (consumer pass, then"
                            + " topology pass)%n", dataBytes >> 20, records, rounds.size(), warmup));
            for (int i = 0; i < rounds.size(); i++) {
                Round r = rounds.get(i);
                b.append(String.format("  round %d: bare consumer %7.1f MiB/s, topology %7.1f MiB/s (%.1f with start-up) = %.2f x"
                                + "   [process CPU: consumer pass %.1f s, topology pass %.1f s]%n",
                        i + 1, r.consumerMiBs(), r.topologyMiBs(), r.topologyEndToEndMiBs(), r.ratio(), r.consumerCpuSecs(),
                        r.topologyCpuSecs()));
            }
            b.append(String.format("  median: bare consumer %.1f MiB/s, topology %.1f MiB/s, ratio %.2f (target >= 0.70)%n",
                    medianConsumer(), medianTopology(), medianRatio()));
            b.append(String.format("  heap (whole JVM, broker included): %d MiB after GC before the topology passes, "
                    + "peak %d MiB during them, %d MiB after GC at the end", heapBaselineMiB, heapPeakMiB, heapAfterMiB));
            return b.toString();
        }
    }

    private ThroughputBench() {
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 2048;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        Path work = Files.createTempDirectory("vhdstream-bench");
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        System.out.println(run(mib, warmup, rounds, work, new Properties()));
    }

    /** @param extra Streams/vhdstream settings over the defaults (for experiments) */
    public static Result run(long mib, int warmup, int rounds, Path work, Properties extra) throws Exception {
        String topic = "bench-commands";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (TestBroker broker = TestBroker.start(); Admin admin = broker.admin()) {
            broker.createTopics(topic, "bench-layers", "bench-dead-letters", 1);
            WorkloadSpec spec = new WorkloadSpec("bench-disk", 2L << 30, 2 << 20, mib << 20, 64 * 1024, 0.5, 0.0, 0, 0, 1, "s");
            long dataBytes;
            try (WorkloadProducer p = WorkloadProducer.connect(broker.bootstrapServers(), topic, Map.of())) {
                Iterator<DiskCommand> it = Workloads.commands(spec);
                while (it.hasNext()) {
                    DiskCommand c = it.next();
                    if (!(c.getPayload() instanceof Snapshot)) {   // writes only: no sealing in the measurement
                        p.send(c);
                    }
                }
                p.flush();
                dataBytes = p.dataBytes();
            }
            long end = broker.endOffsets(topic, 1).get(tp);
            double bytesPerRecord = (double) dataBytes / end;

            System.gc();
            long baseline = heapUsed();
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            List<Round> results = new java.util.ArrayList<>();
            BenchProfiler profiler = BenchProfiler.fromSystemProperty();
            // Rounds up to 0 warm the JIT for both passes and are not reported: on two cores, compiling the consumer,
            // Streams and broker code paths otherwise takes a core away from whichever pass runs first.
            for (int round = 1 - warmup; round <= rounds; round++) {
                double c0 = cpuSecs();
                double consumerMiBs = consumerPass(broker, tp, end, bytesPerRecord);
                double c1 = cpuSecs();
                double[] topology = topologyPass(broker, admin, tp, end, bytesPerRecord, dataBytes,
                        work.resolve("round-" + round), "bench-" + round, extra, round > 0 ? profiler : null);
                double c2 = cpuSecs();
                if (round > 0) {
                    results.add(new Round(consumerMiBs, topology[0], topology[1], c1 - c0, c2 - c1));
                }
                deleteTree(work.resolve("round-" + round));   // 1 GiB of layers: do not leave it to the next round
            }
            long peak = heapPeak();
            System.gc();
            return new Result(dataBytes, end, warmup, results, baseline >> 20, peak >> 20, heapUsed() >> 20);
        }
    }

    /** Reads the whole backlog; MiB/s from the first record to the last. */
    private static double consumerPass(TestBroker broker, TopicPartition tp, long end, double bytesPerRecord) {
        Map<String, Object> c = new HashMap<>(KafkaLimits.consumer());
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long n = 0;
            long firstOffset = -1;
            long tFirst = 0;
            long sum = 0;
            while (n < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (firstOffset < 0) {
                        firstOffset = r.offset();
                        tFirst = System.nanoTime();
                    }
                    n++;
                    sum += r.value().length;
                }
            }
            double secs = (System.nanoTime() - tFirst) / 1e9;
            if (sum == 0) {
                throw new IllegalStateException("read nothing");
            }
            return (end - firstOffset - 1) * bytesPerRecord / 1048576.0 / secs;
        }
    }

    /**
     * Runs the application (a new group) over the backlog; returns {MiB/s from the first record processed to
     * the last, MiB/s from RUNNING to the last commit}.
     */
    private static double[] topologyPass(TestBroker broker, Admin admin, TopicPartition tp, long end, double bytesPerRecord,
                                         long dataBytes, Path work, String appId, Properties extra,
                                         BenchProfiler profiler) throws Exception {
        Properties props = TopologySettings.of(broker, appId, work, tp.topic(), "bench-layers", "bench-dead-letters");
        props.putAll(extra);
        try (TopologyApp app = TopologyApp.start(props)) {
            if (!app.awaitRunning(Duration.ofSeconds(60))) {
                throw new IllegalStateException("the topology did not start: " + app.failure());
            }
            long t0 = System.nanoTime();
            long tFirst = 0;
            double first = -1;
            while (true) {
                double processed = processedRecords(app);
                if (first < 0 && processed > 0) {
                    tFirst = System.nanoTime();
                    first = processed;
                    if (profiler != null) {
                        profiler.start();
                    }
                }
                if (processed >= end && DiskCommandProcessor.bytesWritten(app.streams().metrics()) >= dataBytes) {
                    if (profiler != null) {
                        profiler.stop(appId);
                    }
                    break;
                }
                if (app.failure().isPresent()) {
                    throw new IllegalStateException("the topology failed", app.failure().get());
                }
                Thread.sleep(5);
            }
            long tProcessed = System.nanoTime();
            while (committed(admin, appId, tp) < end) {   // and committed: the whole run, start-up included
                Thread.sleep(20);
            }
            long tEnd = System.nanoTime();
            return new double[] {(end - first) * bytesPerRecord / 1048576.0 / ((tProcessed - tFirst) / 1e9),
                dataBytes / 1048576.0 / ((tEnd - t0) / 1e9)};
        }
    }

    /** Records the stream thread has processed (Streams' thread metric {@code process-total}). */
    private static double processedRecords(TopologyApp app) {
        double sum = 0;
        for (var e : app.streams().metrics().entrySet()) {
            if (e.getKey().group().equals("stream-thread-metrics") && e.getKey().name().equals("process-total")) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return sum;
    }

    private static long committed(Admin admin, String group, TopicPartition tp) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(group,
                new ListConsumerGroupOffsetsOptions().requireStable(false)).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
        OffsetAndMetadata om = m.get(tp);
        return om == null ? -1 : om.offset();
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            for (Path x : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(x);
            }
        }
    }

    private static double cpuSecs() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long heapPeak() {
        long sum = 0;
        for (MemoryPoolMXBean b : ManagementFactory.getMemoryPoolMXBeans()) {
            if (b.getType() == MemoryType.HEAP && b.getPeakUsage() != null) {
                sum += b.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
