package io.vhdstream.topology.rebuild;

import io.vhdstream.topology.Topics;
import io.vhdstream.topology.config.KafkaLimits;
import io.vhdstream.topology.disk.DiskLayers;
import io.vhdstream.topology.disk.Outcome;
import io.vhdstream.topology.disk.Position;
import io.vhdstream.topology.disk.SealedLayer;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.ProgressListener;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.convert.Exporter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Rebuilds a disk as it was at a snapshot from the command topic alone, with a plain consumer: the logic of
 * {@code vhdstream rebuild --disk ID --until SNAPSHOT --out DIR [--flat FILE.raw]}. It replays the topic from
 * the start through the same {@link DiskLayers} code as the topology, into a fresh layer directory, and stops
 * when the Snapshot {@code until} seals its layer; that layer is the top of the result. Layer ids and
 * timestamps derive from the log, so the rebuilt layers carry the unique ids the topology announced.
 *
 * <p>By default only the disk's partition is read (the default partitioner's choice for the disk id key);
 * {@link Request#allPartitions()} reads every partition instead and follows the first partition that has a
 * record keyed by the disk (for producers with another partitioner).
 */
public final class Rebuilder {
    private static final Logger log = LoggerFactory.getLogger(Rebuilder.class);

    private Rebuilder() {
    }

    /**
     * @param clientConfigs consumer settings: at least {@code bootstrap.servers} (security settings as needed)
     * @param topic         the command topic ({@link Topics#COMMANDS} by default)
     * @param out           the directory to build the chain in: must not exist or be empty
     * @param flat          also write the disk's content at the snapshot as a raw image here (null: don't)
     * @param timeout       give up if the topic cannot be read to its end within this time
     */
    public record Request(Map<String, Object> clientConfigs, String topic, String diskId, String untilSnapshot, Path out,
                          Path flat, boolean allPartitions, Duration timeout) {
        public Request {
            clientConfigs = Map.copyOf(clientConfigs);
            Objects.requireNonNull(topic);
            Objects.requireNonNull(diskId);
            Objects.requireNonNull(untilSnapshot);
            Objects.requireNonNull(out);
            Objects.requireNonNull(timeout);
        }

        public static Request of(String bootstrapServers, String diskId, String untilSnapshot, Path out) {
            return of(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), diskId, untilSnapshot, out);
        }

        /** With the full client settings (bootstrap servers, TLS, SASL, ...). */
        public static Request of(Map<String, ?> clientSettings, String diskId, String untilSnapshot, Path out) {
            return new Request(new HashMap<>(clientSettings), Topics.COMMANDS, diskId, untilSnapshot, out, null, false,
                    Duration.ofMinutes(10));
        }

        public Request withFlat(Path flatFile) {
            return new Request(clientConfigs, topic, diskId, untilSnapshot, out, flatFile, allPartitions, timeout);
        }

        public Request withTopic(String t) {
            return new Request(clientConfigs, t, diskId, untilSnapshot, out, flat, allPartitions, timeout);
        }

        public Request withAllPartitions(boolean all) {
            return new Request(clientConfigs, topic, diskId, untilSnapshot, out, flat, all, timeout);
        }
    }

    /**
     * @param top            the rebuilt chain's top: the layer the snapshot sealed
     * @param layers         the sealed layers, base first (as in the {@code sealed} file)
     * @param recordsRead    input records read (all disks)
     * @param lastOffset     input offset of the Snapshot
     */
    public record Result(String diskId, String snapshotId, int partition, Path top, List<SealedLayer> layers, Path flat,
                         long recordsRead, long lastOffset) {
    }

    /** The partition the default partitioner picks for a disk id key. */
    public static int partitionOf(String diskId, int partitions) {
        return Utils.toPositive(Utils.murmur2(diskId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    public static Result rebuild(Request req) throws IOException {
        String idProblem = io.vhdstream.topology.disk.LayerNames.diskIdProblem(req.diskId());
        if (idProblem != null) {
            throw new RebuildException(idProblem);
        }
        Files.createDirectories(req.out());
        try (Stream<Path> s = Files.list(req.out())) {
            if (s.findAny().isPresent()) {
                throw new RebuildException(req.out() + " is not empty; rebuild writes a fresh chain");
            }
        }
        Map<String, Object> c = new HashMap<>(KafkaLimits.consumer());
        c.putAll(req.clientConfigs());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "vhdstream-rebuild");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        byte[] key = req.diskId().getBytes(StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + req.timeout().toNanos();

        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c);
             DiskLayers layers = new DiskLayers(id -> req.out(), 1)) {
            List<PartitionInfo> infos = consumer.partitionsFor(req.topic(), req.timeout());
            if (infos == null || infos.isEmpty()) {
                throw new RebuildException("topic " + req.topic() + " does not exist");
            }
            List<TopicPartition> parts = new ArrayList<>();
            if (req.allPartitions()) {
                infos.forEach(i -> parts.add(new TopicPartition(req.topic(), i.partition())));
            } else {
                parts.add(new TopicPartition(req.topic(), partitionOf(req.diskId(), infos.size())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, req.timeout());
            layers.stopAfter(req.diskId(), req.untilSnapshot());

            Outcome[] last = new Outcome[1];
            int followed = req.allPartitions() ? -1 : parts.get(0).partition();
            long read = 0;
            while (true) {
                boolean atEnd = true;
                for (TopicPartition tp : consumer.assignment()) {
                    if (consumer.position(tp) < end.get(tp)) {
                        atEnd = false;
                    }
                }
                if (atEnd) {
                    throw new RebuildException("snapshot '" + req.untilSnapshot() + "' of disk '" + req.diskId()
                            + "' was not found in " + req.topic() + " (read " + read + " records up to the end offsets "
                            + end + ")");
                }
                if (System.nanoTime() > deadline) {
                    throw new RebuildException("timed out after " + req.timeout() + " reading " + req.topic());
                }
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    read++;
                    if (r.key() == null || !Arrays.equals(r.key(), key)) {
                        continue;
                    }
                    if (followed < 0) {
                        followed = r.partition();
                    } else if (r.partition() != followed) {
                        continue;
                    }
                    Position pos = new Position(r.topic(), r.partition(), r.offset(), r.timestamp());
                    layers.applyRecord(r.key(), r.value(), pos, false, o -> last[0] = o);
                    if (last[0] instanceof Outcome.Sealed s && s.layer().snapshotId().equals(req.untilSnapshot())) {
                        layers.sync();
                        List<SealedLayer> sealed = layers.sealedLayers(req.diskId());
                        Path top = req.out().resolve(layers.chainFile(req.diskId(), s.layer().layerIndex()));
                        Path flat = req.flat() == null ? null : writeFlat(top, req.flat());
                        log.info("rebuilt disk {} at snapshot {} in {} from {} records", req.diskId(), req.untilSnapshot(),
                                req.out(), read);
                        return new Result(req.diskId(), req.untilSnapshot(), r.partition(), top, sealed, flat, read, r.offset());
                    }
                    if (last[0] instanceof Outcome.Deleted d) {
                        throw new RebuildException("disk '" + req.diskId() + "' was deleted at offset "
                                + d.disk().deletedOffset() + " before snapshot '" + req.untilSnapshot() + "'");
                    }
                }
            }
        }
    }

    /**
     * Writes the chain's content as a raw image through the one flattener (holes stay holes), atomically: an
     * existing file is replaced only when the whole image is written (the CLI refuses one without --force).
     */
    static Path writeFlat(Path top, Path flat) throws IOException {
        Path parent = flat.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (VhdChain chain = VhdChain.open(top, ChainOptions.forImage(top), false)) {
            Exporter.export(chain, flat, true, ProgressListener.NONE);
        }
        return flat;
    }
}
