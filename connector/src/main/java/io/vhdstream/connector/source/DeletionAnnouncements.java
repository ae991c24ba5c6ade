package io.vhdstream.connector.source;

import io.vhdstream.connector.convert.BlockEvents;
import io.vhdstream.connector.convert.RecordFormat;
import io.vhdstream.connector.offset.LayerOffset;
import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.DiskDeleted;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The {@code DiskDeleted} records of a source task: one per disk deleted at the source that the consumer got something
 * of and was not told of. The record's offset says {@code deleted}, so a restart does not tell it again.
 */
final class DeletionAnnouncements {
    private static final Logger log = LoggerFactory.getLogger(DeletionAnnouncements.class);

    private final String name;
    private final String topic;
    private final RecordFormat format;
    /** Records to send between layers (each alone in its transaction). */
    private final List<SourceRecord> pending = new ArrayList<>();
    /**
     * Deleted disks whose deletion was announced, or needs none: the stored offsets are read once per tombstone, not at
     * every scan. Kept only while the tombstone is there.
     */
    private final Set<String> settled = new HashSet<>();

    DeletionAnnouncements(String name, String topic, RecordFormat format) {
        this.name = name;
        this.topic = topic;
        this.format = format;
    }

    /** A disk the task held state for was deleted: announced from what it had sent ({@code sent}, null: nothing). */
    void deleted(DeletedDisk del, LayerOffset sent) {
        settled.add(del.diskId());
        announce(del, sent);
    }

    /**
     * The deleted disks a scan found. Those the task holds no state for ({@code unknown}: deleted while the task was
     * down, or announced already) have their stored offsets read once ({@code stored}), and are announced if needed.
     */
    void scanned(Map<String, DeletedDisk> deleted, Predicate<String> unknown,
                 Function<Collection<String>, Map<String, LayerOffset>> stored) {
        settled.retainAll(deleted.keySet());
        List<String> unsettled = new ArrayList<>();
        for (String id : deleted.keySet()) {
            if (unknown.test(id) && !settled.contains(id)) {
                unsettled.add(id);
            }
        }
        if (unsettled.isEmpty()) {
            return;
        }
        Map<String, LayerOffset> offsets = stored.apply(unsettled);
        for (String id : unsettled) {
            deleted(deleted.get(id), offsets.get(id));
        }
    }

    boolean hasPending() {
        return !pending.isEmpty();
    }

    SourceRecord next() {
        return pending.remove(0);
    }

    private void announce(DeletedDisk del, LayerOffset sent) {
        if (sent == null || sent.deleted()) {
            return;
        }
        BlockEvent event = new BlockEvent(new DiskDeleted(del.diskId(), del.commandOffset(), del.reason()));
        pending.add(new SourceRecord(LayerOffset.partition(del.diskId()), sent.withDeleted().toMap(), topic, null,
                BlockEvents.KEY_SCHEMA, del.diskId(), format.valueSchema(), format.value(event)));
        log.info("{}: disk {} was deleted at the source (command offset {}{}); announcing it", name, del.diskId(),
                del.commandOffset(), del.reason() == null ? "" : ", reason: " + del.reason());
    }
}
