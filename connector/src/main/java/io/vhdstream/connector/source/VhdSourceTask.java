package io.vhdstream.connector.source;

import io.vhdstream.connector.Version;
import io.vhdstream.connector.convert.RecordFormat;
import io.vhdstream.connector.metrics.TaskMetrics;
import io.vhdstream.connector.offset.LayerOffset;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.source.TransactionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

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
 *
 * <p>The task keeps the poll loop, the transactions and the metrics. {@link SourceDisks} scans and holds the disks it
 * owns, {@link LayerChoice} decides what to send next (resyncs and merge announcements included), {@link LayerJob}
 * makes one layer's records and {@link Outbox} holds the records sent between layers.
 */
public class VhdSourceTask extends SourceTask {
    private static final Logger log = LoggerFactory.getLogger(VhdSourceTask.class);
    private static final long IDLE_WAIT_MS = 1000;

    private VhdSourceConnectorConfig config;
    private TransactionContext transactions;
    private String name;
    /** The disks this task owns, as scanned. */
    private SourceDisks disks;
    /** What to send next. */
    private LayerChoice choice;
    /** Records sent between layers: errors, merge and deletion announcements. */
    private Outbox outbox;
    private LayerJob current;
    /** The size of the open transaction and the limit that ends it (with connector-defined transactions). */
    private TransactionPacer pacer;
    /** What to do when a record is committed (the last record of a transaction), by identity. */
    private final Map<SourceRecord, Runnable> onCommit = Collections.synchronizedMap(new IdentityHashMap<>());
    private volatile boolean stopping;
    private TaskMetrics metrics;
    private TaskMetrics.Counter recordsOut;
    private TaskMetrics.Counter bytesOut;
    private TaskMetrics.Counter layersCompleted;
    /** Sealed layers of this task's disks not yet emitted whole, as of the last poll (read by the metrics thread). */
    private volatile long lagLayers;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = VhdSourceConnectorConfig.forTask(props);
        RecordFormat format = config.recordFormat();
        transactions = context.transactionContext();
        metrics = new TaskMetrics(context.pluginMetrics());
        recordsOut = metrics.counter("source-records-total", "Records this task handed to the worker (changed-block and error topics)");
        bytesOut = metrics.counter("source-bytes-total", "Data bytes of the ChangedBlock records this task handed to the worker");
        TaskMetrics.Counter layersStarted = metrics.counter("source-layers-started-total", "Layers whose StartOfLayer this task sent");
        layersCompleted = metrics.counter("source-layers-completed-total", "Layers whose EndOfLayer was committed");
        TaskMetrics.Counter layersFailed = metrics.counter("source-layers-failed-total",
                "Layer reads that failed (reported, retried after a scan)");
        TaskMetrics.Counter errorsReported = metrics.counter("source-errors-total", "SourceError records sent to the error topic");
        TaskMetrics.Counter resyncs = metrics.counter("source-resyncs-total", "Disks sent again from their base as a full resync"
                + " because retention merged layers into the base before the feed sent them");
        metrics.gauge("source-lag-layers", "Sealed layers of this task's disks not yet emitted whole", () -> lagLayers);
        name = props.getOrDefault("name", "vhd-source") + "-" + config.taskId();
        pacer = new TransactionPacer(name, config, props);
        EventRecords records = new EventRecords(config, format);
        outbox = new Outbox(name, records, new DeletionAnnouncements(name, config.topic(), format), recordsOut,
                errorsReported, this::commit, this::abort);
        disks = new SourceDisks(name, config, context, outbox);
        choice = new LayerChoice(name, config, records, disks, outbox, layersStarted, layersFailed, resyncs);
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
            if (disks.scanDue()) {
                disks.scan();
                lagLayers = disks.lag();
            }
            if (!outbox.hasErrors() && outbox.hasDeletions()) {
                return outbox.flushDeletes(); // deletions travel alone, between layers
            }
            if (!outbox.hasErrors() && !outbox.hasMerge()) {
                current = choice.nextJob(); // not while a merge announcement waits behind errors: the next turn would drop it
            }
            if (outbox.hasErrors()) {
                return outbox.flushErrors(); // errors travel alone, between layers
            }
            if (outbox.hasMerge()) {
                return outbox.flushMerge(); // so do merge announcements
            }
            if (current == null) {
                wait(Math.max(1, Math.min(IDLE_WAIT_MS, disks.untilScan())));
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
        } catch (LayerJob.MergedWhileRead e) {
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
                disks.scanSoon();
                log.info("{}: disk {}: retention merged layers while layer {} was sent ({}); scanning again", name,
                        failed.disk.diskId, failed.layer.index(), e.toString());
                return null;
            }
            // Merges were looked for just above (once: a merge finishing between two looks would drop the report).
            choice.reportReadFailure(failed.disk, failed.layer, e);
            if (transactions != null) {
                // Earlier batches of the layer went out in the open transaction: abort it so that the layer stays
                // whole, and start the layer again later. The error records ride in the aborted transaction and
                // are sent again, committed, by the next poll.
                disks.progress(failed.disk, failed.disk.committed);
                outbox.abortWithErrors();
            }
            return outbox.flushErrors();
        }
        disks.progress(current.disk, current.offset); // the batch's records carry it
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
            lagLayers = disks.lag();
        } else if (transactions != null && pacer.due()) {
            commit(last, current.disk, null); // the layer goes on in the next transaction
        }
        return out;
    }

    /** Runs what waits for the record's commit: a layer is logged as emitted once its EndOfLayer is committed. */
    @Override
    public void commitRecord(SourceRecord record, RecordMetadata metadata) {
        Runnable r = onCommit.remove(record);
        if (r != null) {
            r.run();
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

    /** Aborts the open transaction on {@code last}. */
    private void abort(SourceRecord last) {
        transactions.abortTransaction(last);
        pacer.end(); // aborted: nothing to learn from it
    }

    /** How many reported problems the task remembers (tests: bounded by what is wrong now). */
    synchronized int rememberedProblems() {
        return outbox.rememberedProblems();
    }

    /** How many times a disk's lag was counted again since start (tests: what a scan costs). */
    synchronized long lagRecounts() {
        return disks.lagRecounts();
    }

    /** How many disks the task keeps state for (tests: bounded by the disks that exist). */
    synchronized int knownDisks() {
        return disks.size();
    }

    private void closeCurrent() {
        if (current != null) {
            current.close();
            current = null;
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
