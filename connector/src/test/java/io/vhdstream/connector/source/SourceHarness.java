package io.vhdstream.connector.source;

import io.vhdstream.connector.FakeContexts;
import org.apache.kafka.connect.source.SourceRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs a {@link VhdSourceTask} without a worker: polls until it is idle, and plays the worker's offset commits. */
public final class SourceHarness implements AutoCloseable {
    public final FakeContexts.Source context;
    public final VhdSourceTask task = new VhdSourceTask();

    public SourceHarness(Map<String, String> props, Map<Map<String, ?>, Map<String, Object>> storedOffsets, boolean transactional) {
        Map<String, String> p = new HashMap<>(props);
        p.putIfAbsent(VhdSourceConnectorConfig.TASK_ID_CONFIG, "0");
        p.putIfAbsent(VhdSourceConnectorConfig.TASK_COUNT_CONFIG, "1");
        p.putIfAbsent(VhdSourceConnectorConfig.SCAN_INTERVAL_MS_CONFIG, "100");
        context = new FakeContexts.Source(p, transactional);
        if (storedOffsets != null) {
            context.offsets.putAll(storedOffsets);
        }
        task.initialize(context);
        task.start(p);
    }

    /** Polls until {@code idlePolls} polls in a row return nothing (each waits at most a scan interval). */
    public List<SourceRecord> drain(int idlePolls) throws InterruptedException {
        List<SourceRecord> out = new ArrayList<>();
        int idle = 0;
        long deadline = System.currentTimeMillis() + 120_000;
        while (idle < idlePolls) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the task never went idle");
            }
            List<SourceRecord> batch = task.poll();
            if (batch == null || batch.isEmpty()) {
                idle++;
            } else {
                idle = 0;
                out.addAll(batch);
            }
        }
        return out;
    }

    /** The offsets a worker would have stored after {@code records} were acknowledged. */
    public static Map<Map<String, ?>, Map<String, Object>> offsetsAfter(List<SourceRecord> records) {
        Map<Map<String, ?>, Map<String, Object>> out = new HashMap<>();
        for (SourceRecord r : records) {
            if (r.sourcePartition() != null) {
                @SuppressWarnings("unchecked")
                Map<String, Object> o = (Map<String, Object>) r.sourceOffset();
                out.put(r.sourcePartition(), o);
            }
        }
        return out;
    }

    /** Everything the task emits for the roots, then stops it. */
    public static List<SourceRecord> emitAll(Map<String, String> props) throws InterruptedException {
        try (SourceHarness h = new SourceHarness(props, null, false)) {
            return h.drain(3);
        }
    }

    /** How many disks the task keeps state for (for tests outside the package). */
    public int knownDisks() {
        return task.knownDisks();
    }

    @Override
    public void close() {
        task.stop();
    }
}
