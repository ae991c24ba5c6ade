package io.vhdstream.connector.source;

import io.vhdstream.connector.metrics.TaskMetrics;
import io.vhdstream.connector.offset.LayerOffset;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The records a source task sends between layers, each batch alone in its transaction: SourceErrors (each problem once
 * while it lasts, {@link ReportedProblems}), a LayersMerged announcement and DiskDeleted announcements.
 */
final class Outbox {
    private static final Logger log = LoggerFactory.getLogger(VhdSourceTask.class); // the task's lines, as before

    /** The task's end of a transaction on {@code last} ({@code disk}: whose progress it stores; {@code then}: once committed). */
    interface Commit {
        void commit(SourceRecord last, SourceDisk disk, Runnable then);
    }

    private final String name;
    private final EventRecords records;
    private final DeletionAnnouncements deletions;
    private final TaskMetrics.Counter recordsOut;
    private final TaskMetrics.Counter errorsReported;
    private final Commit commit;
    private final Consumer<SourceRecord> abort;
    private final ReportedProblems reported = new ReportedProblems();
    private final List<SourceRecord> errors = new ArrayList<>();
    /** A LayersMerged record to send before anything else, and its disk. */
    private SourceRecord merge;
    private SourceDisk mergeDisk;
    /** The errors end the open transaction by aborting it (a layer failed after some of it went out). */
    private boolean abortPending;

    Outbox(String name, EventRecords records, DeletionAnnouncements deletions, TaskMetrics.Counter recordsOut,
           TaskMetrics.Counter errorsReported, Commit commit, Consumer<SourceRecord> abort) {
        this.name = name;
        this.records = records;
        this.deletions = deletions;
        this.recordsOut = recordsOut;
        this.errorsReported = errorsReported;
        this.commit = commit;
        this.abort = abort;
    }

    /** The problems a scan found of the task's disks and roots: each is sent when first found. */
    void scanned(List<ScanProblem> problems) {
        reported.scanStarted();
        for (ScanProblem p : problems) {
            if (reported.foundByScan(p.fingerprint())) {
                log.warn("{}: skipping {} under {}: {} {}", name, p.path(), p.root(), p.reasonCode(), p.message());
                errors.add(records.error(p.diskId(), p));
            }
        }
        reported.scanEnded();
    }

    /** A layer of {@code d} that was fine when scanned cannot be read: sent once per version of the file. */
    void readFailed(SourceDisk d, LayerRef l, Exception e) {
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
            errors.add(records.error(d.diskId, p));
        }
    }

    /** Forgets the reported problems of a disk that is gone. */
    void forget(String diskId) {
        reported.forgetDisk(diskId);
    }

    /** How many reported problems are remembered (tests: bounded by what is wrong now). */
    int rememberedProblems() {
        return reported.size();
    }

    /** A disk the task held state for was deleted ({@link DeletionAnnouncements#deleted}). */
    void deleted(DeletedDisk del, LayerOffset sent) {
        deletions.deleted(del, sent);
    }

    /** The deleted disks a scan found ({@link DeletionAnnouncements#scanned}). */
    void deletionsScanned(Map<String, DeletedDisk> deleted, Predicate<String> unknown,
                          Function<Collection<String>, Map<String, LayerOffset>> stored) {
        deletions.scanned(deleted, unknown, stored);
    }

    /** The merge announcement of {@code d}: it goes out before anything else is chosen. */
    void merge(SourceRecord r, SourceDisk d) {
        merge = r;
        mergeDisk = d;
    }

    /** True while the merge announcement of {@code d} waits to go out (the disk is not forgotten meanwhile). */
    boolean holdsMergeOf(SourceDisk d) {
        return mergeDisk == d;
    }

    /** The errors pending end the open transaction by aborting it: they are sent again, committed, by the next flush. */
    void abortWithErrors() {
        abortPending = true;
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    boolean hasMerge() {
        return merge != null;
    }

    boolean hasDeletions() {
        return deletions.hasPending();
    }

    List<SourceRecord> flushErrors() {
        if (errors.isEmpty()) {
            return null;
        }
        List<SourceRecord> out = new ArrayList<>(errors);
        recordsOut.add(out.size());
        errorsReported.add(out.size());
        if (abortPending) {
            abortPending = false;
            abort.accept(out.get(out.size() - 1));
            errors.replaceAll(Outbox::copy);
        } else {
            errors.clear();
            commit.commit(out.get(out.size() - 1), null, null);
        }
        return out;
    }

    List<SourceRecord> flushMerge() {
        SourceRecord r = merge;
        SourceDisk d = mergeDisk;
        merge = null;
        mergeDisk = null;
        recordsOut.increment();
        String line = name + ": disk " + d.diskId + ": announced the merge of layers up to " + d.progress.merged() + " into its base";
        commit.commit(r, d, () -> log.info(line));
        return List.of(r);
    }

    List<SourceRecord> flushDeletes() {
        SourceRecord r = deletions.next();
        recordsOut.increment();
        String line = name + ": disk " + r.key() + ": announced its deletion at the source";
        commit.commit(r, null, () -> log.info(line));
        return List.of(r);
    }

    private static SourceRecord copy(SourceRecord r) {
        return r.newRecord(r.topic(), r.kafkaPartition(), r.keySchema(), r.key(), r.valueSchema(), r.value(), r.timestamp());
    }
}
