package io.vhdstream.connector.source;

import io.vhdstream.connector.convert.ChangedBlockFrame;
import io.vhdstream.connector.convert.RecordFormat;
import io.vhdstream.connector.metrics.TaskMetrics;
import io.vhdstream.connector.offset.LayerOffset;
import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.LayersMerged;
import io.vhdstream.schemas.block.Resync;
import io.vhdstream.schemas.common.Uuids;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;

/**
 * What a source task emits next: the disks in turn, and for each what its chain and progress call for. That is a
 * LayersMerged announcement when retention merged layers the consumer got one by one; the next layer, or the rest of
 * one begun; the base again as a full resync when retention merged layers the feed never sent (or the base changed
 * under it); nothing while a failed read waits for the next scan.
 */
final class LayerChoice {
    private static final Logger log = LoggerFactory.getLogger(VhdSourceTask.class); // the task's lines, as before

    private final String name;
    private final VhdSourceConnectorConfig config;
    private final EventRecords records;
    private final SourceDisks disks;
    private final Outbox outbox;
    private final TaskMetrics.Counter layersStarted;
    private final TaskMetrics.Counter layersFailed;
    private final TaskMetrics.Counter resyncs;

    LayerChoice(String name, VhdSourceConnectorConfig config, EventRecords records, SourceDisks disks, Outbox outbox,
                TaskMetrics.Counter layersStarted, TaskMetrics.Counter layersFailed, TaskMetrics.Counter resyncs) {
        this.name = name;
        this.config = config;
        this.records = records;
        this.disks = disks;
        this.outbox = outbox;
        this.layersStarted = layersStarted;
        this.layersFailed = layersFailed;
        this.resyncs = resyncs;
    }

    /** The next layer to send, or null: none now, or a merge announcement goes first (it is in the outbox). */
    LayerJob nextJob() {
        for (int i = 0; i < disks.turns(); i++) {
            SourceDisk d = disks.takeTurn();
            SourceRecord merge = mergeAnnouncement(d);
            if (merge != null) {
                outbox.merge(merge, d);
                return null;
            }
            LayerJob job = jobFor(d);
            if (job != null) {
                return job;
            }
        }
        return null;
    }

    private LayerJob jobFor(SourceDisk d) {
        List<LayerRef> layers = d.chain == null ? List.of() : d.chain.layers();
        if (layers.isEmpty() || System.currentTimeMillis() < d.retryAt) {
            return null;
        }
        int level = d.chain.baseLevel();
        LayerOffset o = d.progress;
        if (d.resendBase) {
            d.resendBase = false;
            return resync(d, o, layers, level);
        }
        if (o == null) {
            return level > 0 && d.chain.layerDirectory() ? resync(d, null, layers, level) : open(d, layers.get(0), null, level);
        }
        int at = -1;
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).uniqueId().equals(o.layer())) {
                at = i;
                break;
            }
        }
        if (at < 0 && d.chain.layerDirectory() && o.layerIndex() > 0 && o.layerIndex() <= level) {
            // Retention merged the layer into base.vhd. Only the last layer of the merge, complete, lets the feed go on.
            if (o.complete() && o.layerIndex() == level) {
                return next(d, layers, 0, o);
            }
            return resync(d, o, layers, level);
        }
        // A chain read short (a layer unreadable, or a merge that began during the scan) says nothing of a re-creation.
        boolean reaches = layers.get(layers.size() - 1).index() >= o.layerIndex();
        if (at < 0) {
            if (d.chain.layerDirectory() && reaches) {
                // A layer directory whose layers all changed ids: the disk was deleted and created again.
                log.info("{}: disk {} no longer has layer {}: it was re-created; emitting it from its base", name, d.diskId, o.layer());
                disks.progress(d, null);
                return open(d, layers.get(0), null, level);
            }
            if (!d.waitingWarned) {
                d.waitingWarned = true;
                log.warn("{}: disk {}: the stored offset names layer {}, which is not in the chain found now; waiting for it"
                        + " to come back (reset the connector's offsets for the disk to emit it again from its base)", name,
                        d.diskId, o.layer());
            }
            return null;
        }
        d.waitingWarned = false;
        if (at == 0 && o.base() != level && (!o.complete() || o.base() < level)) {
            // The base was (being) emitted at another level: what the consumer has of it, or the layers merged since, is not
            // what base.vhd holds now.
            return resync(d, o, layers, level);
        }
        if (o.complete()) {
            return next(d, layers, at, o);
        }
        return open(d, layers.get(at), o, o.base());
    }

    /**
     * A {@code LayersMerged} record when retention merged layers into the base that the consumer got one by one (the
     * feed emitted them all) and was not told of yet; the disk's progress then records that it was told.
     */
    private SourceRecord mergeAnnouncement(SourceDisk d) {
        if (d.chain == null || !d.chain.layerDirectory() || d.progress == null || d.chain.layers().isEmpty()) {
            return null;
        }
        LayerOffset o = d.progress;
        int level = d.chain.baseLevel();
        int known = o.knownLevel();
        boolean emittedThem = o.layerIndex() > level || (o.layerIndex() == level && o.complete());
        boolean inChain = o.layerIndex() == level
                || d.chain.layers().stream().anyMatch(l -> l.uniqueId().equals(o.layer())); // not a re-created disk
        if (level <= known || !emittedThem || !inChain) {
            return null;
        }
        LayerRef base = d.chain.layers().get(0);
        disks.progress(d, o.withMerged(level));
        return records.event(d, d.progress, new LayersMerged(d.diskId, Uuids.of(base.uniqueId()), known + 1, level,
                base.snapshotId()));
    }

    /** The layer after list position {@code at}, announced with the base as parent if the base holds its parent's content. */
    private LayerJob next(SourceDisk d, List<LayerRef> layers, int at, LayerOffset o) {
        if (at + 1 >= layers.size()) {
            return null;
        }
        LayerRef l = layers.get(at + 1);
        if (l.index() - 1 <= o.base()) {
            l = l.withParent(layers.get(0).uniqueId());
        }
        return open(d, l, null, o.base());
    }

    /**
     * Layers the consumer never got are now only inside base.vhd (or the connector has no offset for a disk whose base
     * holds merged layers): sends the disk again from its base, marked as a full resync at the base's snapshot; the
     * layers after it follow as usual. Reported (a WARN line, the resync metric) once per disk and level.
     *
     * @param o where the feed had got to; null when nothing is stored
     */
    private LayerJob resync(SourceDisk d, LayerOffset o, List<LayerRef> layers, int level) {
        LayerRef base = layers.get(0);
        int lostFrom;
        String stoppedAt;
        if (o == null) {
            lostFrom = 1;
            stoppedAt = "the connector has no offset for the disk";
        } else {
            lostFrom = o.layerIndex() == 0 ? (o.complete() ? o.base() + 1 : 1) : o.layerIndex() + (o.complete() ? 1 : 0);
            stoppedAt = "the feed stopped at " + describe(o) + (o.layerIndex() == 0 ? " (base emitted at level " + o.base() + ")" : "");
        }
        lostFrom = Math.max(1, Math.min(lostFrom, level));
        String reason = level == 0 ? stoppedAt + " and base.vhd changed under it"
                : "retention merged layers " + lostFrom + ".." + level + " into base.vhd before the feed sent them; " + stoppedAt;
        if (d.resyncLevel != level) {
            d.resyncLevel = level;
            resyncs.increment();
            log.warn("{}: disk {}: resync: {}; sending the whole disk from its base, which holds snapshot {} (level {}),"
                    + " then the layers after it", name, d.diskId, reason, base.snapshotId(), level);
        }
        disks.progress(d, null); // the consumer's copy of the disk is replaced: nothing it knows of the old feed counts
        LayerJob job = open(d, base, null, level);
        if (job != null) {
            job.resync = new Resync(level, lostFrom, reason);
        }
        return job;
    }

    /** @param base the retention level the disk's base was emitted at (carried in every offset of the disk) */
    private LayerJob open(SourceDisk d, LayerRef layer, LayerOffset resume, int base) {
        int chunk = resume != null ? resume.chunkSize() : config.chunkSize();
        LayerReader.ChunkBuffers buffers = buffers(d, layer);
        LayerReader reader;
        try {
            reader = new LayerReader(layer.path(), chunk, buffers);
        } catch (IOException | RuntimeException e) {
            readFailure(d, layer, e);
            return null;
        }
        try {
            if (resume != null && (resume.nextExtent() > 0 || resume.nextOffset() > 0)) {
                if (!reader.skip(resume.nextExtent(), resume.nextOffset())) {
                    log.error("{}: layer {} of disk {} does not match its stored offset {}: it changed after it was sealed;"
                            + " emitting it again from its start", name, layer.path(), d.diskId, describe(resume));
                    reader.close();
                    reader = new LayerReader(layer.path(), config.chunkSize(), buffers);
                    return job(d, layer, LayerOffset.started(layer.uniqueId(), layer.index(), config.chunkSize())
                            .withBase(base).withMerged(resume.merged()), reader, true);
                }
                log.info("{}: disk {}: resuming layer {} at byte {} (record {})", name, d.diskId, layer.index(),
                        resume.nextOffset(), resume.nextExtent());
            }
        } catch (IOException | RuntimeException e) {
            LayerJob.closeQuietly(reader);
            readFailure(d, layer, e);
            return null;
        }
        boolean fresh = resume == null;
        // Every offset of the disk carries the levels its consumer knows (a re-created disk starts from nothing).
        int merged = d.progress == null || layer.index() == 0 ? 0 : d.progress.merged();
        LayerOffset start = fresh ? LayerOffset.started(layer.uniqueId(), layer.index(), chunk).withBase(base).withMerged(merged)
                : resume;
        return job(d, layer, start, reader, fresh);
    }

    private LayerJob job(SourceDisk d, LayerRef layer, LayerOffset start, LayerReader reader, boolean startPending) {
        return new LayerJob(name, records, layersStarted, d, layer, start, reader, startPending);
    }

    /** With Avro values, chunks are read straight into the arrays of their records. */
    private LayerReader.ChunkBuffers buffers(SourceDisk d, LayerRef layer) {
        if (records.format() != RecordFormat.AVRO) {
            return LayerReader.ChunkBuffers.PLAIN;
        }
        ChangedBlockFrame.Layer frames = new ChangedBlockFrame.Layer(d.diskId, layer.uniqueId(), layer.parentUniqueId(), layer.index());
        return frames::frame;
    }

    /**
     * A layer that was fine when scanned cannot be read: report it, and leave the disk alone until the next scan. A
     * layer that retention merged (and removed) since the scan listed it is no error: the feed fell behind the window,
     * which the next scan, at once, turns into a resync.
     */
    void readFailure(SourceDisk d, LayerRef l, Exception e) {
        if (d.chain.mergedSinceScan()) {
            log.info("{}: disk {}: layer {} ({}) changed by a retention merge since the scan ({}); scanning again", name,
                    d.diskId, l.index(), l.path(), e.toString());
            disks.scanSoon();
            return;
        }
        reportReadFailure(d, l, e);
    }

    /** A layer cannot be read, and no merge since the scan explains it (the caller looked): reported as above. */
    void reportReadFailure(SourceDisk d, LayerRef l, Exception e) {
        log.error("{}: cannot read layer {} ({}) of disk {}: {}; retrying after the next scan", name, l.index(), l.path(),
                d.diskId, e.toString(), e);
        d.retryAt = System.currentTimeMillis() + config.scanIntervalMs();
        layersFailed.increment();
        outbox.readFailed(d, l, e);
    }

    static String describe(LayerOffset o) {
        return "layer " + o.layerIndex() + " (" + o.layer() + ")" + (o.complete() ? " complete" : " at byte " + o.nextOffset());
    }
}
