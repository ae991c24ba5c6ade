package io.vhdstream.connector.source;

import io.vhdstream.connector.offset.LayerOffset;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The disks a source task owns (murmur2(disk id) mod task.count) as its scans find them: each disk's chain and
 * progress, the order the disks take turns in, the lag they add up to, and when the next scan is due. A disk's stored
 * offset is read when the task first sees the disk; a disk whose files are gone is forgotten.
 */
final class SourceDisks {
    private static final Logger log = LoggerFactory.getLogger(VhdSourceTask.class); // the task's lines, as before

    private final String name;
    private final RootScanner scanner;
    private final int taskId;
    private final int taskCount;
    private final long scanIntervalMs;
    private final SourceTaskContext context;
    private final Outbox outbox;
    private final Map<String, SourceDisk> disks = new TreeMap<>();
    private final ArrayDeque<String> turn = new ArrayDeque<>();
    private final SourceLag lag = new SourceLag();
    private long nextScanAt;

    SourceDisks(String name, VhdSourceConnectorConfig config, SourceTaskContext context, Outbox outbox) {
        this.name = name;
        this.scanner = new RootScanner(config.roots(), config.scanMaxDepth(), config.includeActiveLayer());
        this.taskId = config.taskId();
        this.taskCount = config.taskCount();
        this.scanIntervalMs = config.scanIntervalMs();
        this.context = context;
        this.outbox = outbox;
    }

    boolean scanDue() {
        return System.currentTimeMillis() >= nextScanAt;
    }

    /** The next poll scans (retention changed a chain since the last scan). */
    void scanSoon() {
        nextScanAt = 0;
    }

    /** Milliseconds until the next scan is due (negative: overdue). */
    long untilScan() {
        return nextScanAt - System.currentTimeMillis();
    }

    /**
     * Scans the roots: problems go to the outbox, new disks join the turn, known ones take their new chain. Called
     * between layers, so the only disk in use is one whose merge announcement waits in the outbox: it is kept (with no
     * chain) even when the scan did not find it.
     */
    void scan() {
        ScanResult result = scanner.scan();
        List<ScanProblem> mine = new ArrayList<>();
        for (ScanProblem p : result.problems()) {
            if (owns(p.diskId() != null ? p.diskId() : p.root() + "/" + p.path())) {
                mine.add(p);
            }
        }
        outbox.scanned(mine);
        // A disk missing from this scan because its files are broken (reported above) waits, keeping its progress. One
        // whose files are gone (deleted) is forgotten, or the map would grow with every disk ever seen (issue 9.7); if
        // it comes back, it resumes from the offsets the worker stored, like a disk seen for the first time.
        Set<String> broken = new HashSet<>();
        for (ScanProblem p : result.problems()) {
            if (p.diskId() != null) {
                broken.add(p.diskId());
            }
        }
        for (Iterator<SourceDisk> it = disks.values().iterator(); it.hasNext(); ) {
            SourceDisk d = it.next();
            if (result.disks().containsKey(d.diskId)) {
                continue;
            }
            if (outbox.holdsMergeOf(d) || (broken.contains(d.diskId) && !result.deleted().containsKey(d.diskId))) {
                chain(d, null);
            } else {
                it.remove();
                forget(d);
                DeletedDisk del = result.deleted().get(d.diskId);
                if (del != null) {
                    outbox.deleted(del, d.progress);
                }
            }
        }
        outbox.deletionsScanned(result.deleted(), id -> owns(id) && !disks.containsKey(id), this::storedOffsets);
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
                        d.progress == null ? "" : ", resuming after " + LayerChoice.describe(d.progress));
            }
        }
        nextScanAt = System.currentTimeMillis() + scanIntervalMs;
    }

    /** Every change of a disk's chain or progress goes through these two, so that the lag counts it again. */
    private void chain(SourceDisk d, DiskChain chain) {
        if (Objects.equals(d.chain, chain)) {
            return; // every scan hands over every chain: only one that differs is counted again
        }
        d.chain = chain;
        lag.changed(d);
    }

    void progress(SourceDisk d, LayerOffset offset) {
        d.progress = offset;
        lag.changed(d);
    }

    /** Drops what the task keeps of a disk whose files are gone (its lag, its turn, its reported read problems). */
    private void forget(SourceDisk d) {
        lag.forget(d);
        turn.remove(d.diskId);
        outbox.forget(d.diskId);
        log.info("{}: disk {}: its files are gone; forgotten", name, d.diskId);
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

    private boolean owns(String key) {
        return owner(key, taskCount) == taskId;
    }

    /** The task a disk (or an error without a disk) belongs to. */
    static int owner(String key, int taskCount) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % taskCount;
    }

    /** How many disks take turns now. */
    int turns() {
        return turn.size();
    }

    /** The disk whose turn it is; it goes to the back of the turn. */
    SourceDisk takeTurn() {
        String id = turn.poll();
        turn.add(id);
        return disks.get(id);
    }

    /** Sealed layers of the disks not yet emitted whole (counts again only the disks that changed). */
    long lag() {
        return lag.count();
    }

    /** How many times a disk's lag was counted again since start (tests: what a scan costs). */
    long lagRecounts() {
        return lag.recounts();
    }

    /** How many disks the task keeps state for (tests: bounded by the disks that exist). */
    int size() {
        return disks.size();
    }
}
