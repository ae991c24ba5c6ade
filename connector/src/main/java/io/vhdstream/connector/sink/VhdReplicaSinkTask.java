package io.vhdstream.connector.sink;

import io.vhdstream.connector.Version;
import io.vhdstream.connector.convert.BlockEvents;
import io.vhdstream.connector.metrics.TaskMetrics;
import io.vhdstream.schemas.block.ChangedBlock;
import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.DiskDeleted;
import io.vhdstream.schemas.block.EndOfLayer;
import io.vhdstream.schemas.block.StartOfLayer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Collection;
import java.util.Map;

/**
 * Applies changed-block records to the replica directory. A record the replica refuses (checksum mismatch,
 * missing records, no StartOfLayer, undecodable) is logged and handed to Connect's errant record reporter:
 * with {@code errors.tolerance=all} (and a dead-letter topic if configured) the task goes on and the layer
 * stays unsealed, with the default {@code errors.tolerance=none} the task fails. It is never silently accepted.
 * An I/O error of the replica directory (full, read-only, a file in the way) is taken as transient: the store
 * drops what it cached, so that the files are again all it knows, and the task throws {@link RetriableException}
 * after setting a back-off (1 s, doubling to a minute): Connect keeps the task RUNNING and delivers the same
 * batch again. Applying is idempotent, so the records of the batch applied before the error do no harm when
 * they come again.
 *
 * <p>Consumer offsets are committed only after {@link ReplicaStore#flush} made the applied records durable; a
 * flush that fails also drops the cache, and Connect then rewinds to the last committed offsets.
 */
public class VhdReplicaSinkTask extends SinkTask {
    private static final Logger log = LoggerFactory.getLogger(VhdReplicaSinkTask.class);
    private static final long FIRST_BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 60_000;

    private ReplicaStore store;
    private ErrantRecordReporter reporter;
    private TaskMetrics metrics;
    private TaskMetrics.Counter applied;
    private TaskMetrics.Counter bytes;
    private TaskMetrics.Counter rejected;
    private TaskMetrics.Counter started;
    private TaskMetrics.Counter sealed;
    private TaskMetrics.Counter retries;
    /** The back-off before the next redelivery after an I/O error; 0 after a batch went through. */
    private long backoffMs;
    private final ReplicaLag lag = new ReplicaLag();

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        VhdReplicaSinkConnectorConfig config = new VhdReplicaSinkConnectorConfig(props);
        try {
            store = new ReplicaStore(config.replicaDir(), config.openLayersMax());
        } catch (IOException e) {
            throw new ConnectException("cannot use replica directory " + config.replicaDir() + ": " + e.getMessage(), e);
        }
        try {
            reporter = context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            reporter = null; // a worker older than Kafka 2.6
        }
        metrics = new TaskMetrics(context.pluginMetrics());
        applied = metrics.counter("sink-records-total", "Records this task applied to the replica (or found applied already)");
        bytes = metrics.counter("sink-bytes-total", "Data bytes of the ChangedBlock records this task applied");
        rejected = metrics.counter("sink-records-rejected-total", "Records refused and handed to the errant record reporter");
        started = metrics.counter("replica-layers-started-total", "Replica layers begun or begun again (StartOfLayer applied)");
        sealed = metrics.counter("replica-layers-sealed-total", "Replica layers verified against their EndOfLayer and sealed");
        retries = metrics.counter("sink-io-retries-total", "Batches given back to Connect for redelivery after an I/O error"
                + " of the replica directory");
        metrics.gauge("replica-layers-failed-total", "Replica layers this task set to FAILED (see docs/operations.md)",
                () -> store.layersFailed());
        metrics.gauge("replica-resyncs-total", "Resync bases (the source lost a disk's per-snapshot changes and sent it"
                + " again from its base) verified and switched in for the old replica chain", () -> store.resyncs());
        metrics.gauge("replica-layers-open", "Replica layers started and neither sealed nor failed: how far the replica is"
                + " behind the newest layer it was sent", () -> store.layersOpen());
        metrics.gauge("replica-lag-ms", "Age of the oldest layer begun and not sealed in the replica (0: every layer"
                + " begun is sealed)", () -> lag.lagMs(System.currentTimeMillis()));
        log.info("replica sink writing under {}", config.replicaDir());
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        for (SinkRecord r : records) {
            if (r.value() == null) {
                continue;
            }
            try {
                BlockEvent event = BlockEvents.fromConnect(r.value());
                ReplicaStore.Outcome o = store.apply(event);
                applied.increment();
                if (o == ReplicaStore.Outcome.PREPARED && event.getPayload() instanceof StartOfLayer s) {
                    started.increment();
                    lag.started(s.getDiskId(), s.getLayerIndex(), r.timestamp() == null ? System.currentTimeMillis() : r.timestamp());
                } else if (event.getPayload() instanceof EndOfLayer e
                        && (o == ReplicaStore.Outcome.SEALED || o == ReplicaStore.Outcome.RESYNCED
                        || o == ReplicaStore.Outcome.IGNORED_SEALED)) {
                    if (o != ReplicaStore.Outcome.IGNORED_SEALED) {
                        sealed.increment();
                    }
                    if (o == ReplicaStore.Outcome.RESYNCED) {
                        lag.forgetDisk(e.getDiskId());
                    } else {
                        lag.sealed(e.getDiskId(), e.getLayerIndex());
                    }
                } else if (o == ReplicaStore.Outcome.WRITTEN && event.getPayload() instanceof ChangedBlock c) {
                    bytes.add(c.getLength());
                } else if (event.getPayload() instanceof DiskDeleted d) {
                    lag.forgetDisk(d.getDiskId()); // its layers left open will never be sealed
                }
            } catch (DataException e) {
                reject(r, new DataException("undecodable record at " + where(r) + ": " + e.getMessage(), e));
            } catch (ReplicaStore.RejectedException e) {
                reject(r, new DataException(e.getMessage() + " (record at " + where(r) + ")"));
            } catch (IOException e) {
                throw retry(r, e);
            } catch (ConnectException e) {
                throw e;
            } catch (RuntimeException e) {
                // A record nothing above anticipated: it goes to the error reporter rather than stopping every disk.
                reject(r, new DataException("record at " + where(r) + " cannot be applied: " + e, e));
            }
        }
        if (!records.isEmpty()) {
            backoffMs = 0;
        }
    }

    private RetriableException retry(SinkRecord r, IOException e) {
        store.reset();
        backoffMs = backoffMs == 0 ? FIRST_BACKOFF_MS : Math.min(2 * backoffMs, MAX_BACKOFF_MS);
        context.timeout(backoffMs);
        retries.increment();
        String msg = "replica I/O error at " + where(r) + ": " + e + "; the batch is delivered again in " + backoffMs + " ms";
        log.error(msg);
        return new RetriableException(msg, e);
    }

    private void reject(SinkRecord r, Exception e) {
        rejected.increment();
        log.error("rejected: {}", e.getMessage());
        if (reporter == null) {
            throw new ConnectException(e.getMessage(), e);
        }
        reporter.report(r, e); // throws when errors.tolerance=none
    }

    private static String where(SinkRecord r) {
        return r.topic() + "-" + r.kafkaPartition() + "@" + r.kafkaOffset();
    }

    /** Disks the task's store keeps in memory (tests: bounded by the disks that exist). */
    int knownDisks() {
        return store.knownDisks();
    }

    /** Layers the lag metric follows: begun and not sealed (tests: none of a deleted disk). */
    int lagEntries() {
        return lag.open();
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        try {
            store.flush();
        } catch (IOException e) {
            store.reset();
            retries.increment();
            throw new RetriableException("cannot sync the replica: " + e.getMessage() + "; Connect delivers the records"
                    + " since the last commit again", e);
        }
        return currentOffsets;
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        lag.clear();
        try {
            store.release();
        } catch (IOException e) {
            throw new ConnectException("cannot close replica layers: " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        if (metrics != null) {
            metrics.close();
        }
        if (store != null) {
            try {
                store.close();
            } catch (IOException e) {
                log.warn("closing the replica store", e);
            }
        }
    }
}
