package io.vhdstream.connector.bench;

import io.vhdstream.connector.ConnectTestSupport;
import io.vhdstream.connector.convert.BlockEvents;
import io.vhdstream.connector.source.VhdSourceConnectorConfig;
import io.vhdstream.schemas.Limits;
import io.vhdstream.schemas.block.ChangedBlock;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectStandalone;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Source connector throughput against a bare Kafka producer, in one run on one broker.
 *
 * <p>A sealed layer of {@code --size-mib} MiB of random (incompressible) data is emitted by the source
 * connector on an in-process standalone worker; its records are read back and the very same keys and values
 * are then sent by a bare {@link KafkaProducer} configured as Connect configures its producers (acks=all, one
 * request in flight, no idempotence). Both rates come from the records' CreateTime timestamps, first to last,
 * so both measure steady sending and neither includes start-up. {@code --warmup} rounds of both run first and
 * are not counted: broker, worker and clients share two cores with the JIT, which compiles Kafka's code for
 * the better part of a minute; then {@code --rounds} rounds per format, alternating which side goes first, and
 * the medians are reported.
 *
 * <pre>
 * mvn -B -q -pl connector -am test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.cp
 * java -Xmx2g -XX:G1HeapRegionSize=4m -Djava.io.tmpdir=/dev/shm \
 *     -cp connector/target/test-classes:connector/target/classes:$(cat connector/target/bench.cp) \
 *     io.vhdstream.connector.bench.ConnectorBenchmark --size-mib 512 --warmup 6 --rounds 9 --format avro,json
 * </pre>
 */
public final class ConnectorBenchmark {
    private final int sizeMib;
    private final int rounds;
    private final int warmup;
    private final List<String> formats;
    private final PrintStream out;

    /** One measured run. */
    public record Rate(String what, long records, long dataBytes, long millis, double cores, long cpuMillis) {
        /** CPU time of the whole process (broker included) per MiB sent. */
        double cpuMsPerMib() {
            return cpuMillis / (dataBytes / (double) (1 << 20));
        }

        double recordsPerSecond() {
            return records * 1000.0 / Math.max(1, millis);
        }

        double mibPerSecond() {
            return dataBytes / (double) (1 << 20) * 1000.0 / Math.max(1, millis);
        }
    }

    /** Median connector and producer rates for one format, and the median of the rounds' ratios. */
    public record Result(String format, Rate connector, Rate producer, double ratio, double connectorCpuMsPerMib,
                         double producerCpuMsPerMib) {
    }

    /** @param warmup rounds of both passes run first and not counted (the JIT settles; see the class doc) */
    public ConnectorBenchmark(int sizeMib, int warmup, int rounds, List<String> formats, PrintStream out) {
        this.sizeMib = sizeMib;
        this.warmup = warmup;
        this.rounds = rounds;
        this.formats = formats;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        int size = 512;
        int rounds = 9;
        int warmup = 6;
        List<String> formats = List.of("avro", "json");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--size-mib" -> size = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--format" -> formats = List.of(args[++i].split(","));
                case "--poll-max-bytes" -> System.setProperty("bench.poll.max.bytes", args[++i]);
                case "--worker" -> System.setProperty("bench.worker.props", args[++i]);
                default -> {
                    System.err.println("usage: ConnectorBenchmark [--size-mib N] [--warmup N] [--rounds N] [--format avro,json] [--poll-max-bytes N] [--worker k=v,...]");
                    System.exit(2);
                }
            }
        }
        new ConnectorBenchmark(size, warmup, rounds, formats, System.out).run();
        System.exit(0);
    }

    public List<Result> run() throws Exception {
        Path work = Files.createTempDirectory("vhd-bench");
        EmbeddedConnectStandalone connect = null;
        try {
            Path root = work.resolve("root");
            long dataBytes = (long) sizeMib << 20;
            makeChain(root.resolve("disk"), dataBytes);
            Properties broker = new Properties();
            broker.putAll(ConnectTestSupport.brokerProps());
            // topics of earlier rounds are deleted: free their (tmpfs) segments at once, not after a minute
            broker.put("log.segment.delete.delay.ms", "1000");
            Map<String, String> worker = ConnectTestSupport.workerProps();
            worker.put("offset.flush.interval.ms", "10000");
            worker.putAll(extraWorkerProps());
            connect = new EmbeddedConnectStandalone.Builder().numBrokers(1).brokerProps(broker).workerProps(worker)
                    .offsetsFile(work.resolve("offsets").toString()).build();
            connect.start();
            List<Result> results = new ArrayList<>();
            for (String format : formats) {
                // A warm-up run (not counted) also captures the payloads the bare producer will send.
                Captured warm = connectorRun(connect, root, format, -1, dataBytes);
                List<Rate> conn = new ArrayList<>();
                List<Rate> bare = new ArrayList<>();
                List<Double> ratios = new ArrayList<>();
                for (int r = 0; r < warmup + rounds; r++) {
                    // Alternate which goes first, so that drift in the machine's speed does not favour either.
                    Rate b = null;
                    if (r % 2 == 1) {
                        b = producerRun(connect, format, r, warm.records, warm.rate);
                    }
                    Rate c = connectorRun(connect, root, format, r, dataBytes).rate;
                    if (b == null) {
                        b = producerRun(connect, format, r, warm.records, warm.rate);
                    }
                    double ratio = c.mibPerSecond() / b.mibPerSecond();
                    if (r >= warmup) {
                        conn.add(c);
                        bare.add(b);
                        ratios.add(ratio);
                    }
                    out.printf(Locale.ROOT, (r < warmup ? "warm-up " : "") + "round %d %-4s connector %7.1f rec/s %6.1f MiB/s %4.2f cores | producer %7.1f rec/s"
                            + " %6.1f MiB/s %4.2f cores | ratio %.2f%n", r, format, c.recordsPerSecond(), c.mibPerSecond(), c.cores(),
                            b.recordsPerSecond(), b.mibPerSecond(), b.cores(), ratio);
                }
                ratios.sort(Comparator.naturalOrder());
                results.add(new Result(format, median(conn), median(bare), ratios.get(ratios.size() / 2),
                        medianCpu(conn).cpuMsPerMib(), medianCpu(bare).cpuMsPerMib()));
            }
            out.printf(Locale.ROOT, "%nsource connector vs bare producer, %d MiB layer, chunk %d KiB, median of %d after %d warm-up"
                    + " rounds:%n", sizeMib, Limits.CHUNK_DEFAULT / 1024, rounds, warmup);
            out.printf(Locale.ROOT, "%-6s %12s %11s %13s %12s %11s %13s %7s%n", "format", "conn rec/s", "conn MiB/s",
                    "conn CPUms/MiB", "bare rec/s", "bare MiB/s", "bare CPUms/MiB", "ratio");
            for (Result r : results) {
                out.printf(Locale.ROOT, "%-6s %12.1f %11.1f %13.1f %12.1f %11.1f %13.1f %7.2f%n", r.format(),
                        r.connector().recordsPerSecond(), r.connector().mibPerSecond(), r.connectorCpuMsPerMib(),
                        r.producer().recordsPerSecond(), r.producer().mibPerSecond(), r.producerCpuMsPerMib(), r.ratio());
            }
            out.printf(Locale.ROOT, "(ratio: median of the rounds' connector/producer MiB/s; CPU: the whole process, broker included)%n");
            return results;
        } finally {
            if (connect != null) {
                connect.stop();
            }
            deleteTree(work);
        }
    }

    private record Captured(Rate rate, List<ConsumerRecord<byte[], byte[]>> records) {
    }

    private static Captured connectorRun(EmbeddedConnectStandalone connect, Path root, String format, int round, long dataBytes)
            throws Exception {
        String topic = "bench-conn-" + format + "-" + round;
        String name = "bench-src-" + format + "-" + round;
        connect.kafka().createTopic(topic, 1);
        Map<String, String> src = ConnectTestSupport.source(root, topic, "bench-errors", format.equals("avro"));
        String poll = System.getProperty("bench.poll.max.bytes");
        if (poll != null) {
            src.put(VhdSourceConnectorConfig.POLL_MAX_BYTES_CONFIG, poll);
        }
        long cpu0 = cpuNanos();
        long wall0 = System.nanoTime();
        connect.configureConnector(name, src);
        long expected = dataBytes / Limits.CHUNK_DEFAULT + 2;
        TopicPartition tp = new TopicPartition(topic, 0);
        long deadline = System.currentTimeMillis() + 600_000;
        while (connect.kafka().endOffset(tp) < expected) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the connector did not emit " + expected + " records");
            }
            // The rate comes from the records' timestamps, so this only notices the end: rarely, because each
            // check is an admin request whose CPU would otherwise be charged to the connector's pass alone.
            Thread.sleep(250);
        }
        long cpu = cpuNanos() - cpu0;
        double cores = cpu / (double) (System.nanoTime() - wall0);
        connect.deleteConnector(name);
        List<ConsumerRecord<byte[], byte[]>> records = round < 0 ? ConnectTestSupport.readAll(connect.kafka(), topic, false)
                : List.of(last(connect, topic), first(connect, topic));
        if (round >= 0) {
            connect.kafka().deleteTopic(topic);
            long ms = records.get(0).timestamp() - records.get(1).timestamp();
            long chunks = dataBytes / Limits.CHUNK_DEFAULT;
            return new Captured(new Rate("connector", chunks, dataBytes, ms, cores, cpu / 1_000_000), null);
        }
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "true"), false);
        long data = 0;
        long changed = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Object v = format.equals("avro") ? r.value() : json.toConnectData(topic, r.value()).value();
            if (BlockEvents.fromConnect(v).getPayload() instanceof ChangedBlock c) {
                changed++;
                data += c.getLength();
            }
        }
        if (data != dataBytes) {
            throw new IllegalStateException("the connector emitted " + data + " data bytes, expected " + dataBytes);
        }
        connect.kafka().deleteTopic(topic);
        long ms = records.get(records.size() - 1).timestamp() - records.get(0).timestamp();
        return new Captured(new Rate("connector", changed, data, ms, cores, cpu / 1_000_000), records);
    }

    private static Rate producerRun(EmbeddedConnectStandalone connect, String format, int round,
                                    List<ConsumerRecord<byte[], byte[]>> records, Rate same) throws Exception {
        String topic = "bench-bare-" + format + "-" + round;
        connect.kafka().createTopic(topic, 1);
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, connect.kafka().bootstrapServers());
        // As Connect's worker configures its producers.
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        // and with any producer.* settings given to the worker
        extraWorkerProps().forEach((k, v) -> {
            if (k.startsWith("producer.")) {
                p.put(k.substring("producer.".length()), v);
            }
        });
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        long cpu0 = cpuNanos();
        long wall0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                sent.add(producer.send(new ProducerRecord<>(topic, r.key(), r.value())));
            }
            producer.flush();
        }
        long cpu = cpuNanos() - cpu0;
        double cores = cpu / (double) (System.nanoTime() - wall0);
        long ms = sent.get(sent.size() - 1).get().timestamp() - sent.get(0).get().timestamp();
        connect.kafka().deleteTopic(topic);
        return new Rate("producer", same.records(), same.dataBytes(), ms, cores, cpu / 1_000_000);
    }

    /** Worker settings from {@code --worker k=v,...} (producer.* ones apply to the bare producer too). */
    private static Map<String, String> extraWorkerProps() {
        Map<String, String> m = new HashMap<>();
        for (String kv : System.getProperty("bench.worker.props", "").split(",")) {
            if (kv.contains("=")) {
                m.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        return m;
    }

    private static ConsumerRecord<byte[], byte[]> first(EmbeddedConnectStandalone connect, String topic) {
        return at(connect, topic, 0);
    }

    private static ConsumerRecord<byte[], byte[]> last(EmbeddedConnectStandalone connect, String topic) throws Exception {
        return at(connect, topic, connect.kafka().endOffset(new TopicPartition(topic, 0)) - 1);
    }

    private static ConsumerRecord<byte[], byte[]> at(EmbeddedConnectStandalone connect, String topic, long offset) {
        Map<String, Object> props = new HashMap<>();
        props.put("max.poll.records", 1);
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> c = connect.kafka().createConsumer(props)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seek(tp, offset);
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(java.time.Duration.ofMillis(200))) {
                    return r;
                }
            }
        }
        throw new IllegalStateException("no record at " + topic + "@" + offset);
    }

    /** CPU time of this process (broker, worker and producer alike), where the JVM can tell. */
    private static long cpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean s ? s.getProcessCpuTime() : 0;
    }

    private static Rate medianCpu(List<Rate> rates) {
        List<Rate> s = new ArrayList<>(rates);
        s.sort(Comparator.comparingDouble(Rate::cpuMsPerMib));
        return s.get(s.size() / 2);
    }

    private static Rate median(List<Rate> rates) {
        List<Rate> s = new ArrayList<>(rates);
        s.sort(Comparator.comparingDouble(Rate::mibPerSecond));
        return s.get(s.size() / 2);
    }

    /** A dynamic base holding {@code dataBytes} of random data from offset 0, sealed by an empty child. */
    private static void makeChain(Path dir, long dataBytes) throws IOException {
        Files.createDirectories(dir);
        Path base = dir.resolve("base.vhd");
        VhdCreator.dynamic(base, dataBytes + (64L << 20), 2L << 20);
        Random random = new Random(1);
        byte[] piece = new byte[4 << 20];
        try (VhdImage img = VhdImage.open(base, OpenOptions.WRITE)) {
            for (long at = 0; at < dataBytes; at += piece.length) {
                random.nextBytes(piece);
                int n = (int) Math.min(piece.length, dataBytes - at);
                img.write(at, ByteBuffer.wrap(piece, 0, n));
            }
            img.sync();
        }
        VhdCreator.differencing(dir.resolve("child.vhd"), base);
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
