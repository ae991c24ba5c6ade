package io.vhdstream.topology.rebuild;

import io.vhdstream.schemas.layer.LayerEvent;
import io.vhdstream.schemas.layer.LayerMerged;
import io.vhdstream.schemas.layer.LayerSealed;
import io.vhdstream.schemas.serde.AvroSerde;
import io.vhdstream.schemas.serde.AvroSerdes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What of a disk can still be rebuilt, as the topology announced it on the layers topic: the snapshots still
 * retained (sealed, not merged into the base) and the oldest rebuildable point, the seal of the snapshot the
 * base holds. A disk the topic knows nothing about has no window (everything the command log holds counts).
 */
final class RebuildWindow {
    /** A retained snapshot: its seal's input offset and the Snapshot record's time. */
    record Snap(String id, long offset, long timestampMs) {
        @Override
        public String toString() {
            return id + " (offset " + offset + ", " + Instant.ofEpochMilli(timestampMs) + ")";
        }
    }

    private final List<Snap> retained;
    private final List<String> merged;

    private RebuildWindow(List<Snap> retained, List<String> merged) {
        this.retained = retained;
        this.merged = merged;
    }

    static RebuildWindow none() {
        return new RebuildWindow(List.of(), List.of());
    }

    /** Reads the whole layers topic (small: a few events per snapshot) for the disk's events. */
    static RebuildWindow read(KafkaConsumer<byte[], byte[]> consumer, String layersTopic, String diskId, Duration timeout,
                              long deadlineNanos) throws RebuildException {
        List<PartitionInfo> infos = consumer.partitionsFor(layersTopic, timeout);
        if (infos == null || infos.isEmpty()) {
            return none();
        }
        List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(layersTopic, i.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts, timeout);
        byte[] key = diskId.getBytes(StandardCharsets.UTF_8);
        AvroSerde<LayerEvent> serde = AvroSerdes.layerEvent();
        Map<String, Snap> sealed = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        int level = 0;
        while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            if (System.nanoTime() > deadlineNanos) {
                throw new RebuildException("timed out after " + timeout + " reading " + layersTopic);
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.key() == null || !Arrays.equals(r.key(), key)) {
                    continue;
                }
                Object p;
                try {
                    p = serde.deserialize(layersTopic, r.value()).getPayload();
                } catch (SerializationException e) {
                    continue; // a newer event type: nothing this reader needs
                }
                if (p instanceof LayerSealed s && s.getLayerIndex() == order.size()) {
                    order.add(s.getSnapshotId());
                    sealed.put(s.getSnapshotId(), new Snap(s.getSnapshotId(), s.getInputOffsets().getToOffset(), r.timestamp()));
                } else if (p instanceof LayerMerged m) {
                    level = Math.max(level, m.getToLayerIndex());
                }
            }
        }
        consumer.unsubscribe();
        List<Snap> retained = new ArrayList<>();
        for (int i = Math.min(level, order.size()); i < order.size(); i++) {
            retained.add(sealed.get(order.get(i)));
        }
        return new RebuildWindow(retained, List.copyOf(order.subList(0, Math.min(level, order.size()))));
    }

    /** The snapshots merged away (oldest first): rebuilding them is out of range. */
    List<String> merged() {
        return merged;
    }

    /** The oldest rebuildable point, or null when nothing was merged. */
    Snap oldest() {
        return merged.isEmpty() || retained.isEmpty() ? null : retained.get(0);
    }

    List<String> retainedIds() {
        return retained.stream().map(Snap::id).toList();
    }

    /** Refuses a point before the window, naming the oldest rebuildable point and the retained snapshots. */
    void check(RebuildPoint point) throws RebuildException {
        Snap oldest = oldest();
        if (oldest == null) {
            return;
        }
        boolean before;
        if (point instanceof RebuildPoint.AtSnapshot s) {
            before = merged.contains(s.snapshotId());
        } else if (point instanceof RebuildPoint.AtOffset o) {
            before = o.offset() < oldest.offset();
        } else {
            before = ((RebuildPoint.AtTime) point).time().toEpochMilli() < oldest.timestampMs();
        }
        if (before) {
            throw new RebuildException(RebuildException.OUT_OF_RANGE, point + " is before the retained window: its"
                    + " layers were merged into the base. The oldest rebuildable point is snapshot " + oldest
                    + "; retained snapshots: " + retainedIds());
        }
    }
}
