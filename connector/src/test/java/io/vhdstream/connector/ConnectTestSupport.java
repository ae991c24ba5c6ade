package io.vhdstream.connector;

import io.vhdstream.schemas.common.NameEncoding;
import io.vhdstream.connector.convert.BlockEvents;
import io.vhdstream.connector.sink.VhdReplicaSinkConnector;
import io.vhdstream.connector.sink.VhdReplicaSinkConnectorConfig;
import io.vhdstream.connector.source.VhdSourceConnector;
import io.vhdstream.connector.source.VhdSourceConnectorConfig;
import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.ChangedBlock;
import io.vhdstream.schemas.block.EndOfLayer;
import io.vhdstream.schemas.block.StartOfLayer;
import io.vhdstream.schemas.block.ZeroExtent;
import io.vhdstream.schemas.common.Uuids;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** Settings and checks shared by the tests that run a real worker on a real broker. */
public final class ConnectTestSupport {
    private ConnectTestSupport() {
    }

    /** One broker: the replication factors a single node needs for transactions and offsets. */
    public static Properties brokerProps() {
        Properties p = new Properties();
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        return p;
    }

    /** Worker settings (a mutable map: the embedded harness adds its own). */
    public static Map<String, String> workerProps() {
        Map<String, String> p = new HashMap<>();
        p.put("plugin.discovery", "service_load");
        p.put("offset.flush.interval.ms", "500");
        p.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        p.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        p.put("value.converter.schemas.enable", "true");
        return p;
    }

    public static Map<String, String> source(Path root, String topic, String errorsTopic, boolean avro) {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", VhdSourceConnector.class.getName());
        c.put("tasks.max", "1");
        c.put(VhdSourceConnectorConfig.ROOTS_CONFIG, root.toString());
        c.put(VhdSourceConnectorConfig.TOPIC_CONFIG, topic);
        c.put(VhdSourceConnectorConfig.ERRORS_TOPIC_CONFIG, errorsTopic);
        c.put(VhdSourceConnectorConfig.SCAN_INTERVAL_MS_CONFIG, "300");
        if (avro) {
            c.put(VhdSourceConnectorConfig.RECORD_FORMAT_CONFIG, "avro");
            c.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        }
        return c;
    }

    public static Map<String, String> sink(Path replica, String topic, boolean avro) {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", VhdReplicaSinkConnector.class.getName());
        c.put("tasks.max", "1");
        c.put("topics", topic);
        c.put(VhdReplicaSinkConnectorConfig.REPLICA_DIR_CONFIG, replica.toString());
        if (avro) {
            c.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        }
        return c;
    }

    public static void waitFor(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /** How many layers of the disk the replica has sealed. */
    public static int sealedCount(Path replica, String diskId) {
        Path dir = replica.resolve(NameEncoding.diskDir(diskId));
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return (int) s.filter(p -> p.getFileName().toString().endsWith(".manifest")).filter(p -> {
                try {
                    return Files.readString(p, StandardCharsets.ISO_8859_1).contains("state=SEALED");
                } catch (IOException e) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The replica file of the disk's highest sealed layer. */
    public static Path replicaTop(Path replica, String diskId) throws IOException {
        try (Stream<Path> s = Files.list(replica.resolve(NameEncoding.diskDir(diskId)))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".vhd")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    public static UUID uniqueId(Path vhd) throws IOException {
        try (io.vhdstream.vhd.image.VhdImage img = io.vhdstream.vhd.image.VhdImage.open(vhd)) {
            return img.footer().uniqueId();
        }
    }

    /** Everything in the topic now (Avro-encoded values), read with the given isolation level. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(EmbeddedKafkaCluster kafka, String topic, boolean readCommitted) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 << 20);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = kafka.createConsumer(props)) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream().map(pi -> new TopicPartition(topic, pi.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long deadline = System.currentTimeMillis() + 30_000;
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end");
                }
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /**
     * Every record once and in order, as a read_committed consumer must see a feed: per layer StartOfLayer, records
     * 0..n-1 of that layer, EndOfLayer(n); layers one after another.
     *
     * @return the layers' ids, in the order they started
     */
    public static List<UUID> assertExactlyOnce(List<BlockEvent> events) {
        java.util.Set<Place> seen = new java.util.HashSet<>();
        List<UUID> layers = new ArrayList<>();
        long next = -1;
        for (BlockEvent e : events) {
            Place p = Place.of(e);
            org.junit.jupiter.api.Assertions.assertTrue(seen.add(p), "duplicate " + p);
            switch (p.kind()) {
                case "start" -> {
                    org.junit.jupiter.api.Assertions.assertEquals(-1, next, "a layer starts only after the previous one ended");
                    layers.add(p.layer());
                    next = 0;
                }
                case "end" -> {
                    org.junit.jupiter.api.Assertions.assertEquals(next, p.extentIndex(), "EndOfLayer counts every record");
                    next = -1;
                }
                default -> {
                    org.junit.jupiter.api.Assertions.assertEquals(layers.get(layers.size() - 1), p.layer());
                    org.junit.jupiter.api.Assertions.assertEquals(next, p.extentIndex(), "records in order, without a gap");
                    next++;
                }
            }
        }
        org.junit.jupiter.api.Assertions.assertEquals(-1, next, "the last layer is complete");
        return layers;
    }

    /** A layer's identity and a record's place in it, for counting gaps and duplicates. */
    public record Place(UUID layer, long extentIndex, String kind) {
        public static Place of(BlockEvent e) {
            Object p = e.getPayload();
            if (p instanceof StartOfLayer s) {
                return new Place(Uuids.toUuid(s.getLayerUniqueId()), -1, "start");
            } else if (p instanceof ChangedBlock c) {
                return new Place(Uuids.toUuid(c.getLayerUniqueId()), c.getExtentIndex(), "data");
            } else if (p instanceof ZeroExtent z) {
                return new Place(Uuids.toUuid(z.getLayerUniqueId()), z.getExtentIndex(), "zeros");
            } else if (p instanceof EndOfLayer x) {
                return new Place(Uuids.toUuid(x.getLayerUniqueId()), x.getExtentCount(), "end");
            }
            return new Place(null, -1, "other");
        }
    }

    /** A connector's plugin metrics (KIP-877) as JMX shows them: every numeric attribute of its task MBeans, summed by name. */
    public static Map<String, Double> pluginMetrics(String connector) throws Exception {
        javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        Map<String, Double> out = new java.util.TreeMap<>();
        for (javax.management.ObjectName n : jmx.queryNames(new javax.management.ObjectName("kafka.connect:type=plugins,*"), null)) {
            if (!connector.equals(n.getKeyProperty("connector"))) {
                continue;
            }
            for (javax.management.MBeanAttributeInfo a : jmx.getMBeanInfo(n).getAttributes()) {
                if (jmx.getAttribute(n, a.getName()) instanceof Number v) {
                    out.merge(a.getName(), v.doubleValue(), Double::sum);
                }
            }
        }
        return out;
    }

    public static List<BlockEvent> decode(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> BlockEvents.decode(r.value())).toList();
    }
}
