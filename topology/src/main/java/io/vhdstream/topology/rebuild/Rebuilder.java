package io.vhdstream.topology.rebuild;

import io.vhdstream.topology.Topics;
import io.vhdstream.topology.disk.DiskLayers;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.Outcome;
import io.vhdstream.topology.disk.Position;
import io.vhdstream.topology.disk.Retention;
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
 * Rebuilds a disk from the command topic alone, with a plain consumer: the logic of {@code vhdstream rebuild
 * --disk ID (--until SNAPSHOT | --at OFFSET|TIME) --out DIR [--flat FILE.raw]}. It replays the topic from the
 * start through the same {@link DiskLayers} code as the topology (retention included), into a fresh layer
 * directory, and stops at the {@link RebuildPoint}: when the Snapshot seals its layer (that layer is the top),
 * or after the disk's last command at or before an offset or time (the active layer is the top: the disk as
 * that command left it). Layer ids and timestamps derive from the log, so the rebuilt layers carry the unique
 * ids the topology announced.
 *
 * <p>Points before the retained window (what the layers topic says was merged into the base) are refused with
 * {@link RebuildException#OUT_OF_RANGE}; unknown snapshots with {@link RebuildException#NOT_FOUND}, listing
 * the known ones. On any failure the output directory is left as it was found.
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
     * @param layersTopic   the layers topic, read for the retained window (null: no window check)
     * @param checkpointsTopic the checkpoint topic, where the rebuild of a disk whose first commands retention deleted
     *                      starts (null: always from the command partition's start)
     * @param point         where to stop
     * @param out           the directory to build the chain in: must not exist or be empty
     * @param flat          also write the disk's content at the point as a raw image here (null: don't)
     * @param timeout       give up if the topic cannot be read to its end within this time
     */
    public record Request(Map<String, Object> clientConfigs, String topic, String layersTopic, String checkpointsTopic,
                          String diskId, RebuildPoint point, Path out, Path flat, boolean allPartitions, Duration timeout,
                          Retention retention) {
        public Request {
            Objects.requireNonNull(retention);
            clientConfigs = Map.copyOf(clientConfigs);
            Objects.requireNonNull(topic);
            Objects.requireNonNull(diskId);
            Objects.requireNonNull(point);
            Objects.requireNonNull(out);
            Objects.requireNonNull(timeout);
        }

        public static Request of(String bootstrapServers, String diskId, String untilSnapshot, Path out) {
            return of(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), diskId, untilSnapshot, out);
        }

        /** With the full client settings (bootstrap servers, TLS, SASL, ...). */
        public static Request of(Map<String, ?> clientSettings, String diskId, String untilSnapshot, Path out) {
            return new Request(new HashMap<>(clientSettings), Topics.COMMANDS, Topics.LAYERS, Topics.CHECKPOINTS, diskId,
                    new RebuildPoint.AtSnapshot(untilSnapshot), out, null, false, Duration.ofMinutes(10), Retention.DEFAULT);
        }

        public Request withFlat(Path flatFile) {
            return new Request(clientConfigs, topic, layersTopic, checkpointsTopic, diskId, point, out, flatFile, allPartitions, timeout, retention);
        }

        public Request withTopic(String t) {
            return new Request(clientConfigs, t, layersTopic, checkpointsTopic, diskId, point, out, flat, allPartitions, timeout, retention);
        }

        public Request withCheckpointsTopic(String t) {
            return new Request(clientConfigs, topic, layersTopic, t, diskId, point, out, flat, allPartitions, timeout, retention);
        }

        public Request withLayersTopic(String t) {
            return new Request(clientConfigs, topic, t, checkpointsTopic, diskId, point, out, flat, allPartitions, timeout, retention);
        }

        /** The retention the rebuild applies (the topology's, so the rebuilt files are the topology's). */
        public Request withRetention(Retention r) {
            return new Request(clientConfigs, topic, layersTopic, checkpointsTopic, diskId, point, out, flat, allPartitions, timeout, r);
        }

        public Request withPoint(RebuildPoint p) {
            return new Request(clientConfigs, topic, layersTopic, checkpointsTopic, diskId, p, out, flat, allPartitions, timeout, retention);
        }

        public Request withAllPartitions(boolean all) {
            return new Request(clientConfigs, topic, layersTopic, checkpointsTopic, diskId, point, out, flat, all, timeout, retention);
        }
    }

    /**
     * @param snapshotId     the snapshot rebuilt (for a snapshot point), else the newest sealed before the point
     *                       (null if none)
     * @param top            the rebuilt chain's top: the layer the snapshot sealed, or the active layer
     * @param layers         the sealed layers, base first (as in the {@code sealed} file)
     * @param recordsRead    input records read (all disks)
     * @param lastOffset     input offset of the last command of the disk applied
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
        boolean existed = Files.exists(req.out());
        if (existed) {
            try (Stream<Path> s = Files.list(req.out())) {
                if (s.findAny().isPresent()) {
                    throw new RebuildException(req.out() + " is not empty; rebuild writes a fresh chain");
                }
            }
        }
        try {
            Files.createDirectories(req.out());
            return replay(req);
        } catch (IOException | RuntimeException e) {
            leaveAsFound(req.out(), existed);
            throw e;
        }
    }

    /** Removes what the rebuild made: the output's contents, and the directory itself if it did not exist. */
    private static void leaveAsFound(Path out, boolean existed) {
        try {
            io.vhdstream.vhd.io.Directories.deleteTree(out, existed);
        } catch (IOException e) {
            log.warn("could not remove the partial rebuild in {}: {}", out, e.toString());
        }
    }

    private static Result replay(Request req) throws IOException {
        Map<String, Object> c = io.vhdstream.topology.catalog.TopicReader.consumerSettings(req.clientConfigs(), "vhdstream-rebuild");
        byte[] key = req.diskId().getBytes(StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + req.timeout().toNanos();
        RebuildPoint point = req.point();
        String until = point instanceof RebuildPoint.AtSnapshot s ? s.snapshotId() : null;

        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c);
             DiskLayers layers = new DiskLayers(id -> req.out(), 1, req.retention())) {
            List<PartitionInfo> infos = consumer.partitionsFor(req.topic(), req.timeout());
            if (infos == null || infos.isEmpty()) {
                throw new RebuildException(RebuildException.NOT_FOUND, "topic " + req.topic() + " does not exist");
            }
            RebuildWindow window = req.layersTopic() == null ? RebuildWindow.none()
                    : RebuildWindow.read(consumer, req.layersTopic(), req.diskId(), req.timeout(), deadline);
            window.check(point);
            List<TopicPartition> parts = new ArrayList<>();
            if (req.allPartitions()) {
                infos.forEach(i -> parts.add(new TopicPartition(req.topic(), i.partition())));
            } else {
                parts.add(new TopicPartition(req.topic(), partitionOf(req.diskId(), infos.size())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, req.timeout());
            if (point instanceof RebuildPoint.AtOffset o && !req.allPartitions() && o.offset() >= end.get(parts.get(0))) {
                throw new RebuildException(RebuildException.OUT_OF_RANGE, point + " is past the end of "
                        + parts.get(0) + ", whose last offset is " + (end.get(parts.get(0)) - 1));
            }
            long logStart = consumer.beginningOffsets(parts, req.timeout()).get(parts.get(0));
            CheckpointStart.Start start = null;
            if (!req.allPartitions() && logStart > 0 && req.checkpointsTopic() != null
                    && !consumer.partitionsFor(req.checkpointsTopic(), req.timeout()).isEmpty()) {
                // Retention deleted the partition's first commands: start from the disk's base as checkpointed.
                start = CheckpointStart.load(c, req.checkpointsTopic(), parts.get(0), req.diskId(), req.out());
                if (start != null) {
                    Result atBase = startFrom(req, start, logStart, parts.get(0), consumer);
                    if (atBase != null) {
                        return atBase;
                    }
                }
            }
            if (until != null) {
                layers.stopAfter(req.diskId(), until);
            }

            Outcome[] last = new Outcome[1];
            List<String> seen = new ArrayList<>();
            int followed = req.allPartitions() ? -1 : parts.get(0).partition();
            long read = 0;
            long lastApplied = -1;
            if (start != null) {
                seen.add(start.base().snapshotId());
                lastApplied = start.base().sealOffset();   // the base holds the disk as its seal left it
            }
            while (true) {
                boolean atEnd = true;
                for (TopicPartition tp : consumer.assignment()) {
                    if (consumer.position(tp) < end.get(tp)) {
                        atEnd = false;
                    }
                }
                if (atEnd) {
                    if (until == null && lastApplied >= 0) {
                        return finish(req, layers, seen, followed, read, lastApplied); // the point is at or past the end
                    }
                    throw notFound(req, read, end, seen, window);
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
                    if (after(point, r)) {
                        if (lastApplied < 0) {
                            throw new RebuildException(RebuildException.NOT_FOUND, "disk '" + req.diskId()
                                    + "' has no command at or before " + point + " in " + req.topic());
                        }
                        return finish(req, layers, seen, followed, read, lastApplied);
                    }
                    Position pos = new Position(r.topic(), r.partition(), r.offset(), r.timestamp());
                    last[0] = null;
                    layers.applyRecord(r.key(), r.value(), pos, false, o -> last[0] = o);
                    lastApplied = r.offset();
                    if (last[0] instanceof Outcome.Sealed s) {
                        seen.add(s.layer().snapshotId());
                    }
                    if (until != null && last[0] instanceof Outcome.Sealed s && s.layer().snapshotId().equals(until)) {
                        layers.sync();
                        List<SealedLayer> sealed = layers.sealedLayers(req.diskId());
                        Path top = req.out().resolve(layers.chainFile(req.diskId(), s.layer().layerIndex()));
                        Path flat = req.flat() == null ? null : writeFlat(top, req.flat());
                        log.info("rebuilt disk {} at snapshot {} in {} from {} records", req.diskId(), until,
                                req.out(), read);
                        return new Result(req.diskId(), until, r.partition(), top, sealed, flat, read, r.offset());
                    }
                    if (last[0] instanceof Outcome.Deleted d) {
                        throw new RebuildException("disk '" + req.diskId() + "' was deleted at offset "
                                + d.disk().deletedOffset() + " before " + point);
                    }
                    if (point instanceof RebuildPoint.AtOffset o && r.offset() >= o.offset()) {
                        return finish(req, layers, seen, followed, read, lastApplied);
                    }
                }
                if (point instanceof RebuildPoint.AtOffset o && lastApplied >= 0 && followed >= 0
                        && consumer.position(new TopicPartition(req.topic(), followed)) > o.offset()) {
                    return finish(req, layers, seen, followed, read, lastApplied);
                }
            }
        }
    }

    /**
     * Checks the point against the checkpoint the rebuild starts from and positions the consumer after it; returns the
     * result when the point is the base's own snapshot (nothing to replay), else null.
     */
    private static Result startFrom(Request req, CheckpointStart.Start start, long logStart, TopicPartition tp,
                                    KafkaConsumer<byte[], byte[]> consumer) throws IOException {
        SealedLayer base = start.base();
        RebuildPoint point = req.point();
        boolean before;
        if (point instanceof RebuildPoint.AtSnapshot s) {
            if (s.snapshotId().equals(base.snapshotId())) {
                Path top = req.out().resolve(LayerNames.BASE);
                Path flat = req.flat() == null ? null : writeFlat(top, req.flat());
                return new Result(req.diskId(), base.snapshotId(), tp.partition(), top, SealedLayer.readAll(
                        req.out().resolve(LayerNames.SEALED)), flat, 0, base.sealOffset());
            }
            before = SealedLayer.readAll(req.out().resolve(LayerNames.SEALED)).stream()
                    .anyMatch(l -> l.snapshotId().equals(s.snapshotId()));
        } else if (point instanceof RebuildPoint.AtOffset o) {
            before = o.offset() < base.sealOffset();
        } else {
            before = ((RebuildPoint.AtTime) point).time().toEpochMilli() < base.sealedAt();
        }
        if (before || start.replayFrom() < logStart) {
            throw new RebuildException(RebuildException.OUT_OF_RANGE, point + " of disk '" + req.diskId() + "' cannot be"
                    + " rebuilt: " + tp + " starts at offset " + logStart + " (retention deleted the commands before it)"
                    + (start.replayFrom() < logStart ? ", including commands after the disk's checkpoint (offset "
                    + start.replayFrom() + " on)" : "") + ". The oldest rebuildable point is snapshot " + base.snapshotId()
                    + " (offset " + base.sealOffset() + ", " + java.time.Instant.ofEpochMilli(base.sealedAt())
                    + "), the base in " + req.checkpointsTopic());
        }
        consumer.seek(tp, start.replayFrom());
        log.info("rebuilding disk {} from its checkpoint (snapshot {} at offset {}), then {} from offset {}", req.diskId(),
                base.snapshotId(), base.sealOffset(), tp, start.replayFrom());
        return null;
    }

    /** Whether record {@code r} of the disk comes after the point (so it and everything later stay out). */
    private static boolean after(RebuildPoint point, ConsumerRecord<byte[], byte[]> r) {
        if (point instanceof RebuildPoint.AtOffset o) {
            return r.offset() > o.offset();
        }
        return point instanceof RebuildPoint.AtTime t && r.timestamp() > t.time().toEpochMilli();
    }

    /** The disk as its last applied command left it: the active layer on top (made if a seal left none). */
    private static Result finish(Request req, DiskLayers layers, List<String> seen, int partition, long read,
                                 long lastApplied) throws IOException {
        if (layers.state(req.diskId()) == null) {
            throw new RebuildException(RebuildException.NOT_FOUND, "disk '" + req.diskId() + "' did not exist at "
                    + req.point() + " in " + req.topic() + " (if it was created before the topic's first retained"
                    + " command, its checkpoint in " + req.checkpointsTopic() + " is missing)");
        }
        if (layers.state(req.diskId()).deleted()) {
            throw new RebuildException("disk '" + req.diskId() + "' was deleted at offset "
                    + layers.state(req.diskId()).deletedOffset() + ", before " + req.point());
        }
        Path top = req.out().resolve(layers.activeLayer(req.diskId()));
        layers.sync();
        List<SealedLayer> sealed = layers.sealedLayers(req.diskId());
        Path flat = req.flat() == null ? null : writeFlat(top, req.flat());
        log.info("rebuilt disk {} at {} (after its command at offset {}) in {} from {} records", req.diskId(),
                req.point(), lastApplied, req.out(), read);
        return new Result(req.diskId(), seen.isEmpty() ? null : seen.get(seen.size() - 1), partition, top, sealed, flat,
                read, lastApplied);
    }

    private static RebuildException notFound(Request req, long read, Map<TopicPartition, Long> end, List<String> seen,
                                             RebuildWindow window) {
        List<String> known = window.retainedIds().isEmpty() ? seen : window.retainedIds();
        if (seen.isEmpty() && !(req.point() instanceof RebuildPoint.AtSnapshot)) {
            return new RebuildException(RebuildException.NOT_FOUND, "disk '" + req.diskId() + "' has no command in "
                    + req.topic() + " (read " + read + " records up to the end offsets " + end + ")");
        }
        return new RebuildException(RebuildException.NOT_FOUND, req.point() + " of disk '" + req.diskId()
                + "' was not found in " + req.topic() + " (read " + read + " records up to the end offsets " + end
                + "); known snapshots: " + (known.isEmpty() ? "none" : known));
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
