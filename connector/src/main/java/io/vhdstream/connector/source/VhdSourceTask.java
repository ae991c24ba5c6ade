package io.vhdstream.connector.source;

import io.vhdstream.connector.Version;
import io.vhdstream.connector.convert.BlockEvents;
import io.vhdstream.connector.convert.ChangedBlockFrame;
import io.vhdstream.connector.convert.RecordFormat;
import io.vhdstream.connector.metrics.TaskMetrics;
import io.vhdstream.connector.offset.LayerOffset;
import io.vhdstream.schemas.LayerDigest;
import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.ChangedBlock;
import io.vhdstream.schemas.block.EndOfLayer;
import io.vhdstream.schemas.block.LayersMerged;
import io.vhdstream.schemas.block.Resync;
import io.vhdstream.schemas.block.SourceError;
import io.vhdstream.schemas.block.StartOfLayer;
import io.vhdstream.schemas.block.ZeroExtent;
import io.vhdstream.schemas.common.Sha256s;
import io.vhdstream.schemas.common.Uuid;
import io.vhdstream.schemas.common.Uuids;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.source.TransactionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Emits the sealed layers of the disks this task owns (murmur2(disk id) mod task.count), one layer at a
 * time, base first per disk, disks in turn. Every task scans all roots and keeps its own disks, so new
 * disks are picked up by the next scan without reconfiguring the connector.
 *
 * <p>Per layer: StartOfLayer, then the pieces of {@link LayerReader} as ChangedBlock/ZeroExtent records,
 * then EndOfLayer. Every record carries the disk's {@link LayerOffset} after it. A disk's stored offset is
 * read once, when the task first sees the disk; a layer interrupted in the middle is resumed by replaying
 * its prefix into the digest and continuing from the stored byte offset and extent index, so nothing is
 * skipped. With connector-defined transaction boundaries (exactly-once on a distributed worker) a layer is
 * sent in transactions bounded by {@code commit.max.bytes} and {@code commit.max.ms}, the last committed on
 * its EndOfLayer: a restart resumes after the last committed record (in the middle of a layer), and a
 * read_committed consumer sees every record exactly once, in order. Short transactions matter because a
 * restarted worker reads the offsets topic read_committed before it starts any task, so it waits for a
 * killed task's open transaction to time out. A layer is logged as emitted when its EndOfLayer is committed
 * ({@link #commitRecord}).
 *
 * <p>A file that cannot be exported becomes a SourceError record on the error topic (once per version of
 * the file) and a log line; the task goes on with everything else.
 *
 * <p>When retention merged layers the feed never sent into base.vhd (the feed lagged behind the window, or the
 * connector had no offset for a disk whose base holds merged layers), their changes cannot be sent one snapshot at
 * a time any more: the disk is sent again from its base as a full resync ({@code StartOfLayer.resync}), then the
 * layers after it, as a backup product falls back to a full backup when change tracking is lost.
 */
public class VhdSourceTask extends SourceTask {
    private static final Logger log = LoggerFactory.getLogger(VhdSourceTask.class);
    /** Poll cost charged for a ZeroExtent, so that long zero runs still end a batch. */
    private static final int ZERO_RECORD_COST = 64 * 1024;
    private static final long IDLE_WAIT_MS = 1000;
    /** Data read ahead of the worker per task (a chunk at least, two at least). */
    private static final long PREFETCH_BYTES = 8L << 20;

    private VhdSourceConnectorConfig config;
    private RecordFormat format;
    private RootScanner scanner;
    private TransactionContext transactions;
    private String name;
    private final Map<String, SourceDisk> disks = new TreeMap<>();
    private final ArrayDeque<String> turn = new ArrayDeque<>();
    private final ReportedProblems reported = new ReportedProblems();
    private final List<SourceRecord> pendingErrors = new ArrayList<>();
    /** The DiskDeleted records of disks deleted at the source. */
    private DeletionAnnouncements deletions;
    /** A LayersMerged record to send before anything else, and its disk. */
    private SourceRecord pendingMerge;
    private SourceDisk pendingMergeDisk;
    private LayerJob current;
    private boolean abortPending;
    /** The size of the open transaction and the limit that ends it (with connector-defined transactions). */
    private TransactionPacer pacer;
    /** What to do when a record is committed (the last record of a transaction), by identity. */
    private final Map<SourceRecord, Runnable> onCommit = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
    private long nextScanAt;
    private volatile boolean stopping;
    private TaskMetrics metrics;
    private TaskMetrics.Counter recordsOut;
    private TaskMetrics.Counter bytesOut;
    private TaskMetrics.Counter layersStarted;
    private TaskMetrics.Counter layersCompleted;
    private TaskMetrics.Counter layersFailed;
    private TaskMetrics.Counter errorsReported;
    private TaskMetrics.Counter resyncs;
    /** Sealed layers of this task's disks not yet emitted whole, as of the last poll (read by the metrics thread). */
    private volatile long lagLayers;
    private final SourceLag lag = new SourceLag();

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = VhdSourceConnectorConfig.forTask(props);
        format = config.recordFormat();
        scanner = new RootScanner(config.roots(), config.scanMaxDepth(), config.includeActiveLayer());
        transactions = context.transactionContext();
        metrics = new TaskMetrics(context.pluginMetrics());
        recordsOut = metrics.counter("source-records-total", "Records this task handed to the worker (changed-block and error topics)");
        bytesOut = metrics.counter("source-bytes-total", "Data bytes of the ChangedBlock records this task handed to the worker");
        layersStarted = metrics.counter("source-layers-started-total", "Layers whose StartOfLayer this task sent");
        layersCompleted = metrics.counter("source-layers-completed-total", "Layers whose EndOfLayer was committed");
        layersFailed = metrics.counter("source-layers-failed-total", "Layer reads that failed (reported, retried after a scan)");
        errorsReported = metrics.counter("source-errors-total", "SourceError records sent to the error topic");
        resyncs = metrics.counter("source-resyncs-total", "Disks sent again from their base as a full resync because"
                + " retention merged layers into the base before the feed sent them");
        metrics.gauge("source-lag-layers", "Sealed layers of this task's disks not yet emitted whole", () -> lagLayers);
        name = props.getOrDefault("name", "vhd-source") + "-" + config.taskId();
        pacer = new TransactionPacer(name, config, props);
        deletions = new DeletionAnnouncements(name, config.topic(), format);
        log.info("{}: task {} of {} watching {} (chunk {} bytes, {} records{})", name, config.taskId(), config.taskCount(),
                config.roots(), config.chunkSize(), format.configName(), transactions == null ? ""
                        : ", transactions of at most " + config.commitMaxBytes() + " bytes or " + config.commitMaxMs() + " ms");
    }

    @Override
    public synchronized List<SourceRecord> poll() throws InterruptedException {
        if (stopping) {
            return null;
        }
        if (current == null) {
            if (System.currentTimeMillis() >= nextScanAt) {
                scan();
                lagLayers = lag.count();
                nextScanAt = System.currentTimeMillis() + config.scanIntervalMs();
            }
            if (pendingErrors.isEmpty() && deletions.hasPending()) {
                return flushDeletes(); // deletions travel alone, between layers
            }
            if (pendingErrors.isEmpty()) {
                current = nextJob();
            }
            if (!pendingErrors.isEmpty()) {
                return flushErrors(); // errors travel alone, between layers
            }
            if (pendingMerge != null) {
                return flushMerge(); // so do merge announcements
            }
            if (current == null) {
                wait(Math.max(1, Math.min(IDLE_WAIT_MS, nextScanAt - System.currentTimeMillis())));
                return null;
            }
        }
        List<SourceRecord> out = new ArrayList<>();
        int budget = config.pollMaxBytes();
        if (transactions != null) {
            budget = pacer.budget(budget);
        }
        long sent;
        try {
            sent = current.poll(out, budget);
        } catch (MergedWhileRead e) {
            // Not an error: what was read may mix two snapshots, so the base starts again (its StartOfLayer tells the
            // consumer to drop what it got of it). Earlier batches may stay in the open transaction for the same reason.
            LayerJob merged = current;
            closeCurrent();
            merged.disk.resendBase = true;
            log.info("{}: disk {}: retention merged into base.vhd while it was sent; sending it again from its start", name,
                    merged.disk.diskId);
            return null;
        } catch (IOException | RuntimeException e) {
            // Nothing of this batch is returned and the disk's progress was not advanced: a retry starts where it was.
            LayerJob failed = current;
            closeCurrent();
            if (failed.disk.chain.mergedSinceScan()) {
                // A read torn by a merge, not a broken file: as above, what was sent is replaced (the base starts again;
                // a layer merged away makes the next scan resync the disk).
                failed.disk.resendBase |= failed.layer.index() == 0;
                nextScanAt = 0;
                log.info("{}: disk {}: retention merged layers while layer {} was sent ({}); scanning again", name,
                        failed.disk.diskId, failed.layer.index(), e.toString());
                return null;
            }
            readFailure(failed.disk, failed.layer, e);
            if (transactions != null) {
                // Earlier batches of the layer went out in the open transaction: abort it so that the layer stays
                // whole, and start the layer again later. The error records ride in the aborted transaction and
                // are sent again, committed, by the next poll.
                progress(failed.disk, failed.disk.committed);
                abortPending = true;
            }
            return flushErrors();
        }
        pacer.sent(sent);
        recordsOut.add(out.size());
        bytesOut.add(sent);
        SourceRecord last = out.get(out.size() - 1);
        if (current.done) {
            String emitted = current.emitted;
            commit(last, current.disk, () -> {
                layersCompleted.increment();
                log.info(emitted);
            });
            closeCurrent();
            lagLayers = lag.count();
        } else if (transactions != null && pacer.due()) {
            commit(last, current.disk, null); // the layer goes on in the next transaction
        }
        return out;
    }

    /** Every change of a disk's chain or progress goes through these two, so that the lag counts it again. */
    private void chain(SourceDisk d, DiskChain chain) {
        if (java.util.Objects.equals(d.chain, chain)) {
            return; // every scan hands over every chain: only one that differs is counted again
        }
        d.chain = chain;
        lag.changed(d);
    }

    private void progress(SourceDisk d, LayerOffset offset) {
        d.progress = offset;
        lag.changed(d);
    }

    /** Runs what waits for the record's commit: a layer is logged as emitted once its EndOfLayer is committed. */
    @Override
    public void commitRecord(SourceRecord record, org.apache.kafka.clients.producer.RecordMetadata metadata) {
        Runnable r = onCommit.remove(record);
        if (r != null) {
            r.run();
        }
    }

    private List<SourceRecord> flushErrors() {
        if (pendingErrors.isEmpty()) {
            return null;
        }
        List<SourceRecord> out = new ArrayList<>(pendingErrors);
        recordsOut.add(out.size());
        errorsReported.add(out.size());
        if (abortPending) {
            abortPending = false;
            transactions.abortTransaction(out.get(out.size() - 1));
            pacer.end(); // aborted: nothing to learn from it
            pendingErrors.replaceAll(VhdSourceTask::copy);
        } else {
            pendingErrors.clear();
            commit(out.get(out.size() - 1), null, null);
        }
        return out;
    }

    private List<SourceRecord> flushMerge() {
        SourceRecord r = pendingMerge;
        SourceDisk d = pendingMergeDisk;
        pendingMerge = null;
        pendingMergeDisk = null;
        recordsOut.increment();
        String line = name + ": disk " + d.diskId + ": announced the merge of layers up to " + d.progress.merged() + " into its base";
        commit(r, d, () -> log.info(line));
        return List.of(r);
    }

    private List<SourceRecord> flushDeletes() {
        SourceRecord r = deletions.next();
        recordsOut.increment();
        String line = name + ": disk " + r.key() + ": announced its deletion at the source";
        commit(r, null, () -> log.info(line));
        return List.of(r);
    }

    private static SourceRecord copy(SourceRecord r) {
        return r.newRecord(r.topic(), r.kafkaPartition(), r.keySchema(), r.key(), r.valueSchema(), r.value(), r.timestamp());
    }

    /** A layer that was fine when scanned cannot be read: report it, and leave the disk alone until the next scan. */
    private void readFailure(SourceDisk d, LayerRef l, Exception e) {
        if (d.chain.mergedSinceScan()) {
            // Retention merged (and removed) layers after the scan listed them: the feed fell behind the window, which
            // the next scan turns into a resync. Not an error of the file.
            log.info("{}: disk {}: layer {} ({}) changed by a retention merge since the scan ({}); scanning again", name,
                    d.diskId, l.index(), l.path(), e.toString());
            nextScanAt = 0;
            return;
        }
        log.error("{}: cannot read layer {} ({}) of disk {}: {}; retrying after the next scan", name, l.index(), l.path(),
                d.diskId, e.toString(), e);
        d.retryAt = System.currentTimeMillis() + config.scanIntervalMs();
        layersFailed.increment();
        IOException io = e instanceof IOException x ? x : new IOException(e.toString(), e);
        String rel = RootScanner.relative(d.chain.root(), l.path());
        String version;
        try {
            version = Files.size(l.path()) + "|" + Files.getLastModifiedTime(l.path()).toMillis();
        } catch (IOException gone) {
            version = "gone";
        }
        ScanProblem p = new ScanProblem(d.diskId, d.chain.root().toString(), rel, RootScanner.code(io),
                l.path() + ": " + RootScanner.message(io), "read|" + l.path() + "|" + version);
        if (reported.forDisk(d.diskId, "read", p.fingerprint())) {
            pendingErrors.add(error(d.diskId, p));
        }
    }

    /**
     * Ends the open transaction on {@code last}; {@code disk}'s progress so far is then what a restart resumes from.
     * {@code then} runs once the worker reports the record committed.
     */
    private void commit(SourceRecord last, SourceDisk disk, Runnable then) {
        Runnable committed = pacer.end();
        if (transactions != null) {
            transactions.commitTransaction(last);
            onCommit.put(last, () -> {
                committed.run();
                if (then != null) {
                    then.run();
                }
            });
        } else if (then != null) {
            onCommit.put(last, then);
        }
        if (disk != null) {
            disk.committed = disk.progress;
        }
    }

    // ---- scanning and ownership

    /** How many reported problems the task remembers (tests: bounded by what is wrong now). */
    synchronized int rememberedProblems() {
        return reported.size();
    }

    private void scan() {
        ScanResult result = scanner.scan();
        reported.scanStarted();
        for (ScanProblem p : result.problems()) {
            String owner = p.diskId() != null ? p.diskId() : p.root() + "/" + p.path();
            if (owns(owner) && reported.foundByScan(p.fingerprint())) {
                log.warn("{}: skipping {} under {}: {} {}", name, p.path(), p.root(), p.reasonCode(), p.message());
                pendingErrors.add(error(p.diskId(), p));
            }
        }
        reported.scanEnded();
        // A disk missing from this scan because its files are broken (reported above) waits, keeping its progress. One
        // whose files are gone (deleted) is forgotten, or the map would grow with every disk ever seen (issue 9.7); if
        // it comes back, it resumes from the offsets the worker stored, like a disk seen for the first time.
        Set<String> broken = new HashSet<>();
        for (ScanProblem p : result.problems()) {
            if (p.diskId() != null) {
                broken.add(p.diskId());
            }
        }
        for (java.util.Iterator<SourceDisk> it = disks.values().iterator(); it.hasNext(); ) {
            SourceDisk d = it.next();
            if (result.disks().containsKey(d.diskId)) {
                continue;
            }
            boolean busy = (current != null && current.disk == d) || pendingMergeDisk == d;
            if (busy || (broken.contains(d.diskId) && !result.deleted().containsKey(d.diskId))) {
                chain(d, null);
            } else {
                it.remove();
                forget(d);
                DeletedDisk del = result.deleted().get(d.diskId);
                if (del != null) {
                    deletions.deleted(del, d.progress);
                }
            }
        }
        deletions.scanned(result.deleted(), id -> owns(id) && !disks.containsKey(id), this::storedOffsets);
        List<String> fresh = new ArrayList<>();
        for (DiskChain c : result.disks().values()) {
            if (!owns(c.diskId())) {
                continue;
            }
            SourceDisk d = disks.get(c.diskId());
            if (d == null) {
                fresh.add(c.diskId());
            } else {
                chain(d, c);
            }
        }
        if (!fresh.isEmpty()) {
            Map<String, LayerOffset> stored = storedOffsets(fresh);
            for (String id : fresh) {
                SourceDisk d = new SourceDisk(id, stored.get(id));
                chain(d, result.disks().get(id));
                disks.put(id, d);
                turn.add(id);
                log.info("{}: disk {} ({} layer(s) sealed){}", name, id, d.chain.layers().size(),
                        d.progress == null ? "" : ", resuming after " + describe(d.progress));
            }
        }
    }

    /** Drops what the task keeps of a disk whose files are gone (its lag, its turn, its reported read problems). */
    private void forget(SourceDisk d) {
        lag.forget(d);
        turn.remove(d.diskId);
        reported.forgetDisk(d.diskId);
        log.info("{}: disk {}: its files are gone; forgotten", name, d.diskId);
    }

    /** How many times a disk's lag was counted again since start (tests: what a scan costs). */
    synchronized long lagRecounts() {
        return lag.recounts();
    }

    /** How many disks the task keeps state for (tests: bounded by the disks that exist). */
    synchronized int knownDisks() {
        return disks.size();
    }

    private Map<String, LayerOffset> storedOffsets(Collection<String> ids) {
        List<Map<String, String>> partitions = ids.stream().map(LayerOffset::partition).toList();
        Map<Map<String, String>, Map<String, Object>> raw = context.offsetStorageReader().offsets(partitions);
        Map<String, LayerOffset> out = new HashMap<>();
        for (String id : ids) {
            Map<String, Object> m = raw == null ? null : raw.get(LayerOffset.partition(id));
            try {
                out.put(id, LayerOffset.fromMap(m));
            } catch (IllegalArgumentException e) {
                log.error("{}: ignoring the stored offset of disk {}: {}; emitting the disk from its base", name, id, e.getMessage());
            }
        }
        return out;
    }

    boolean owns(String key) {
        return owner(key, config.taskCount()) == config.taskId();
    }

    /** The task a disk (or an error without a disk) belongs to. */
    static int owner(String key, int taskCount) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % taskCount;
    }

    // ---- what to emit next

    private LayerJob nextJob() {
        for (int i = 0; i < turn.size(); i++) {
            String id = turn.poll();
            turn.add(id);
            SourceDisk d = disks.get(id);
            pendingMerge = mergeAnnouncement(d);
            if (pendingMerge != null) {
                pendingMergeDisk = d;
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
                progress(d, null);
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
        progress(d, o.withMerged(level));
        BlockEvent event = new BlockEvent(new LayersMerged(d.diskId, Uuids.of(base.uniqueId()), known + 1, level,
                base.snapshotId()));
        return new SourceRecord(d.partition, d.progress.toMap(), config.topic(), null, BlockEvents.KEY_SCHEMA, d.diskId,
                format.valueSchema(), format.value(event));
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
        progress(d, null); // the consumer's copy of the disk is replaced: nothing it knows of the old feed counts
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
                    return new LayerJob(d, layer, LayerOffset.started(layer.uniqueId(), layer.index(), config.chunkSize())
                            .withBase(base).withMerged(resume.merged()), reader, true);
                }
                log.info("{}: disk {}: resuming layer {} at byte {} (record {})", name, d.diskId, layer.index(),
                        resume.nextOffset(), resume.nextExtent());
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(reader);
            readFailure(d, layer, e);
            return null;
        }
        boolean fresh = resume == null;
        // Every offset of the disk carries the levels its consumer knows (a re-created disk starts from nothing).
        int merged = d.progress == null || layer.index() == 0 ? 0 : d.progress.merged();
        LayerOffset start = fresh ? LayerOffset.started(layer.uniqueId(), layer.index(), chunk).withBase(base).withMerged(merged)
                : resume;
        return new LayerJob(d, layer, start, reader, fresh);
    }

    /** With Avro values, chunks are read straight into the arrays of their records. */
    private LayerReader.ChunkBuffers buffers(SourceDisk d, LayerRef layer) {
        if (format != RecordFormat.AVRO) {
            return LayerReader.ChunkBuffers.PLAIN;
        }
        ChangedBlockFrame.Layer frames = new ChangedBlockFrame.Layer(d.diskId, layer.uniqueId(), layer.parentUniqueId(), layer.index());
        return frames::frame;
    }

    /** One layer being emitted. */
    private final class LayerJob {
        final SourceDisk disk;
        final LayerRef layer;
        final Prefetcher reader;
        final Uuid layerId;
        final Uuid parentId;
        LayerOffset offset;
        boolean startPending;
        boolean done;
        String emitted; // the log line for the layer, once done
        final String mergeStamp; // a layer directory's base: the merge state when reading began
        Resync resync; // set on a base sent as a full resync

        LayerJob(SourceDisk disk, LayerRef layer, LayerOffset offset, LayerReader reader, boolean startPending) {
            this.disk = disk;
            this.layer = layer;
            this.offset = offset;
            int depth = (int) Math.max(2, Math.min(32, PREFETCH_BYTES / offset.chunkSize()));
            this.reader = new Prefetcher(reader, depth, name + "-read-" + layer.index());
            this.startPending = startPending;
            this.mergeStamp = layer.index() == 0 && disk.chain.layerDirectory() ? RootScanner.mergeStamp(layer.path().getParent()) : null;
            this.layerId = Uuids.of(layer.uniqueId());
            this.parentId = layer.parentUniqueId() == null ? null : Uuids.of(layer.parentUniqueId());
            if (layer.index() == 0 && offset.base() > 0) {
                // A base holding merged layers is only ever sent as a resync (resync() says why; this covers a restart).
                this.resync = new Resync(offset.base(), 1, "the base, which holds layers 1.." + offset.base() + ", is sent again");
            }
        }

        /** Adds at least one record; returns the data bytes added. */
        long poll(List<SourceRecord> out, int budget) throws IOException, InterruptedException {
            String id = disk.diskId;
            if (startPending) {
                startPending = false;
                layersStarted.increment();
                out.add(record(offset, new StartOfLayer(id, layerId, parentId, layer.index(), layer.layerFile(),
                        layer.virtualSize(), layer.blockSize(), layer.snapshotId(), resync)));
            }
            long cost = 0;
            long sent = 0;
            while (cost < budget) {
                LayerReader.Piece piece = reader.next();
                if (piece == null) {
                    if (mergeStamp != null && !mergeStamp.equals(RootScanner.mergeStamp(layer.path().getParent()))) {
                        // Retention coalesced into base.vhd while it was read: what was read may mix two snapshots.
                        throw new MergedWhileRead();
                    }
                    LayerDigest.Summary sum = reader.finish();
                    offset = offset.completed();
                    SourceRecord end = record(offset, new EndOfLayer(id, layerId, parentId, layer.index(), layer.layerFile(),
                            layer.virtualSize(), sum.extentCount(), sum.bytes(), Sha256s.of(sum.recordsSha256()),
                            Sha256s.of(sum.contentSha256())));
                    out.add(end);
                    done = true;
                    emitted = name + ": disk " + id + ": emitted layer " + layer.index() + " (" + layer.uniqueId() + "): "
                            + sum.extentCount() + " records, " + sum.bytes() + " bytes";
                    break;
                }
                long extentIndex = offset.nextExtent();
                offset = offset.after(piece.end());
                if (piece instanceof LayerReader.Data data) {
                    if (format == RecordFormat.AVRO) {
                        data.frame().putSha256(data.sha256());
                        out.add(new SourceRecord(disk.partition, offset.toMap(), config.topic(), null, BlockEvents.KEY_SCHEMA,
                                disk.diskId, format.valueSchema(), data.frame().array()));
                    } else {
                        out.add(record(offset, new ChangedBlock(id, layerId, parentId, layer.index(), extentIndex, data.offset(),
                                data.length(), ByteBuffer.wrap(data.data()), Sha256s.of(data.sha256()))));
                    }
                    cost += data.length();
                    sent += data.length();
                } else {
                    out.add(record(offset, new ZeroExtent(id, layerId, parentId, layer.index(), extentIndex, piece.offset(),
                            piece.length())));
                    cost += ZERO_RECORD_COST;
                }
            }
            progress(disk, offset);
            return sent;
        }

        SourceRecord record(LayerOffset at, Object payload) {
            BlockEvent event = new BlockEvent(payload);
            return new SourceRecord(disk.partition, at.toMap(), config.topic(), null, BlockEvents.KEY_SCHEMA, disk.diskId,
                    format.valueSchema(), format.value(event));
        }
    }

    /** Retention coalesced into the base while it was read. */
    private static final class MergedWhileRead extends IOException {
        private static final long serialVersionUID = 1L;
    }

    private SourceRecord error(String diskId, ScanProblem p) {
        String path = p.path().isEmpty() ? p.root() : p.path();
        BlockEvent event = new BlockEvent(new SourceError(diskId, path, p.reasonCode(), p.message()));
        String key = diskId != null ? diskId : path;
        return new SourceRecord(null, null, config.errorsTopic(), null, BlockEvents.KEY_SCHEMA, key, format.valueSchema(),
                format.value(event));
    }

    private static String describe(LayerOffset o) {
        return "layer " + o.layerIndex() + " (" + o.layer() + ")" + (o.complete() ? " complete" : " at byte " + o.nextOffset());
    }

    private void closeCurrent() {
        if (current != null) {
            closeQuietly(current.reader);
            current = null;
        }
    }

    private static void closeQuietly(Closeable r) {
        try {
            r.close();
        } catch (IOException e) {
            log.debug("close", e);
        }
    }

    @Override
    public void stop() {
        stopping = true;
        if (metrics != null) {
            metrics.close();
        }
        synchronized (this) {
            notifyAll();
            closeCurrent();
        }
    }

}
