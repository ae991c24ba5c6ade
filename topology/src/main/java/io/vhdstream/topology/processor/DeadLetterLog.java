package io.vhdstream.topology.processor;

import io.vhdstream.topology.Topics;
import io.vhdstream.topology.disk.Outcome;
import io.vhdstream.topology.disk.Position;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Makes rejections visible where operators look: one WARN line per dead letter (at most {@link #LINES_PER_MINUTE}
 * a minute per task, then one line saying how many were not logged), and the metric {@code dead-letters-total}
 * of {@link Topics#METRIC_GROUP} per task and reason code. The records themselves are in the dead-letter topic
 * ({@code vhdstream dead-letters}).
 */
final class DeadLetterLog {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterLog.class);
    /** The metric: dead letters published by a task, tagged {@code task-id} and {@code reason}. */
    static final String METRIC = "dead-letters-total";
    static final int LINES_PER_MINUTE = 10;
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    private final ProcessorContext<?, ?> context;
    private final Map<String, Sensor> byReason = new HashMap<>();
    private long windowStart = System.nanoTime();
    private int logged;
    private long suppressed;

    DeadLetterLog(ProcessorContext<?, ?> context) {
        this.context = context;
    }

    void record(Outcome.Rejected r, Position pos) {
        byReason.computeIfAbsent(r.reasonCode(), this::sensor).record();
        long now = System.nanoTime();
        if (now - windowStart >= MINUTE) {
            if (suppressed > 0) {
                log.warn("{} more dead letters in the last minute were not logged (see 'vhdstream dead-letters')", suppressed);
            }
            windowStart = now;
            logged = 0;
            suppressed = 0;
        }
        if (logged < LINES_PER_MINUTE) {
            logged++;
            log.warn("dead letter {} for disk {} ({}-{}@{}): {}", r.reasonCode(), r.diskId() == null ? "(none)" : r.diskId(),
                    pos.topic(), pos.partition(), pos.offset(), r.message());
        } else {
            suppressed++;
        }
    }

    private Sensor sensor(String reason) {
        Sensor s = context.metrics().addSensor("vhdstream-dead-letters-" + context.taskId() + "-" + reason,
                Sensor.RecordingLevel.INFO);
        s.add(new MetricName(METRIC, Topics.METRIC_GROUP, "Dead letters this task published, by reason code",
                Map.of("task-id", context.taskId().toString(), "reason", reason)), new CumulativeCount());
        return s;
    }

    void close() {
        byReason.values().forEach(context.metrics()::removeSensor);
        byReason.clear();
    }

    /** Dead letters by reason, summed over the tasks among {@code metrics} (Streams' or a test driver's). */
    static Map<String, Double> counts(Map<MetricName, ? extends Metric> metrics) {
        Map<String, Double> out = new TreeMap<>();
        for (var e : metrics.entrySet()) {
            if (e.getKey().group().equals(Topics.METRIC_GROUP) && e.getKey().name().equals(METRIC)) {
                out.merge(e.getKey().tags().get("reason"), ((Number) e.getValue().metricValue()).doubleValue(), Double::sum);
            }
        }
        return out;
    }
}
