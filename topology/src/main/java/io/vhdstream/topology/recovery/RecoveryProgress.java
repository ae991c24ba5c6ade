package io.vhdstream.topology.recovery;

import io.vhdstream.topology.Topics;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Value;
import org.apache.kafka.streams.StreamsMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Progress of one layer store's recovery (Kafka Streams restoring it from the command topic, on its state
 * updater thread), and of the checkpoint load before it: log lines at the start, every {@link #LOG_INTERVAL_NANOS}
 * and at the end, and three task metrics in group {@value Topics#METRIC_GROUP}: {@value #REMAINING_METRIC}
 * (offsets left to replay), {@value #RECORDS_METRIC} (commands replayed so far) and
 * {@value #CHECKPOINT_BYTES_METRIC} (base layer data loaded from the checkpoint topic).
 */
public final class RecoveryProgress implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RecoveryProgress.class);
    public static final String REMAINING_METRIC = "recovery-remaining-offsets";
    public static final String RECORDS_METRIC = "recovery-records-total";
    public static final String CHECKPOINT_BYTES_METRIC = "recovery-checkpoint-bytes-total";
    static final long LOG_INTERVAL_NANOS = 5_000_000_000L;

    private final TopicPartition partition;
    private final StreamsMetrics metrics;
    private final Sensor remaining;
    private final Sensor records;
    private final Sensor checkpointBytes;
    private long checkpointStartedNanos;
    private long checkpointBytesSoFar;
    private long from;
    private long until;
    private long position;
    private long count;
    private long bytes;
    private long startedNanos;
    private long loggedNanos;
    private boolean active;

    public RecoveryProgress(TopicPartition partition, String taskId, StreamsMetrics metrics) {
        this.partition = partition;
        this.metrics = metrics;
        Map<String, String> tags = Map.of("task-id", taskId);
        remaining = metrics.addSensor("vhdstream-recovery-remaining-" + taskId, Sensor.RecordingLevel.INFO);
        remaining.add(new MetricName(REMAINING_METRIC, Topics.METRIC_GROUP,
                "Input offsets the task's layer store still has to replay before the task runs", tags), new Value());
        records = metrics.addSensor("vhdstream-recovery-records-" + taskId, Sensor.RecordingLevel.INFO);
        records.add(new MetricName(RECORDS_METRIC, Topics.METRIC_GROUP,
                "Commands the task's layer store replayed from the input to recover its layers", tags), new CumulativeSum());
        checkpointBytes = metrics.addSensor("vhdstream-recovery-checkpoint-" + taskId, Sensor.RecordingLevel.INFO);
        checkpointBytes.add(new MetricName(CHECKPOINT_BYTES_METRIC, Topics.METRIC_GROUP,
                "Bytes of base layer data the task's layer store loaded from the checkpoint topic", tags), new CumulativeSum());
        remaining.record(0);
    }

    /** The store is about to load its disks' checkpoint (base layers and metadata) from the checkpoint topic. */
    public void checkpointStart(String topic, String why) {
        checkpointStartedNanos = System.nanoTime();
        loggedNanos = checkpointStartedNanos;
        checkpointBytesSoFar = 0;
        log.info("recovering the layers of {}: {}; loading the checkpoint of its disks from {}", partition, why, topic);
    }

    /** {@code chunks} chunks ({@code total} bytes of data) loaded so far. */
    public void checkpointProgress(long chunks, long total) {
        checkpointBytes.record(total - checkpointBytesSoFar);
        checkpointBytesSoFar = total;
        long now = System.nanoTime();
        if (now - loggedNanos >= LOG_INTERVAL_NANOS) {
            loggedNanos = now;
            double secs = (now - checkpointStartedNanos) / 1e9;
            log.info("recovering the layers of {}: loaded {} base chunks, {} MiB of checkpoint in {} s ({} MiB/s)", partition,
                    chunks, total >> 20, Math.round(secs), Math.round(total / 1048576.0 / Math.max(secs, 1e-3)));
        }
    }

    /** The checkpoint is in place: {@code disks} disks, commands from {@code replayFrom} on still to replay. */
    public void checkpointDone(int disks, long chunks, long total, long replayFrom) {
        log.info("recovering the layers of {}: loaded the checkpoint of {} disks ({} base chunks, {} MiB) in {} ms;"
                + " the commands from offset {} on rebuild the rest", partition, disks, chunks, total >> 20,
                (System.nanoTime() - checkpointStartedNanos) / 1_000_000, replayFrom);
    }

    /** Bytes of checkpoint data loaded by this store instance. */
    public long checkpointBytes() {
        return checkpointBytesSoFar;
    }

    /** The store will replay input offsets [from, until) before its task runs. */
    public void start(long from, long until, String why) {
        this.from = from;
        this.until = until;
        this.position = from;
        this.startedNanos = System.nanoTime();
        this.loggedNanos = startedNanos;
        this.active = true;
        remaining.record(until - from);
        log.info("recovering the layers of {}: {}; replaying input offsets [{}, {}) ({} offsets) off the processing"
                + " thread, publishing nothing", partition, why, from, until, until - from);
    }

    /** A batch of {@code n} commands ({@code batchBytes} bytes) was applied; {@code next} is the next offset to apply. */
    public void batch(int n, long batchBytes, long next) {
        position = next;
        count += n;
        bytes += batchBytes;
        records.record(n);
        remaining.record(Math.max(0, until - next));
        long now = System.nanoTime();
        if (active && now - loggedNanos >= LOG_INTERVAL_NANOS) {
            loggedNanos = now;
            double secs = (now - startedNanos) / 1e9;
            double perSec = (next - from) / Math.max(secs, 1e-3);
            long left = Math.max(0, until - next);
            log.info("recovering the layers of {}: at offset {} of [{}, {}) ({}%), {} commands, {} MiB in {} s ({} MiB/s),"
                    + " about {} s left", partition, next, from, until, percent(next), count, bytes >> 20,
                    Math.round(secs), Math.round(bytes / 1048576.0 / Math.max(secs, 1e-3)),
                    Math.round(left / Math.max(perSec, 1e-3)));
        }
        if (active && next >= until) {
            finish();
        }
    }

    /** The task is about to run: the replay is over (Streams may stop short of {@code until} when the last offsets were transaction markers). */
    public void finish() {
        if (!active) {
            return;
        }
        active = false;
        remaining.record(0);
        log.info("recovered the layers of {}: replayed {} commands ({} MiB) of input offsets [{}, {}) in {} ms", partition,
                count, bytes >> 20, from, position, (System.nanoTime() - startedNanos) / 1_000_000);
    }

    public boolean active() {
        return active;
    }

    /** Commands replayed so far. */
    public long records() {
        return count;
    }

    private long percent(long next) {
        return until == from ? 100 : Math.round(100.0 * (next - from) / (until - from));
    }

    @Override
    public void close() {
        metrics.removeSensor(remaining);
        metrics.removeSensor(records);
        metrics.removeSensor(checkpointBytes);
    }
}
