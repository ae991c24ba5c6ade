package io.vhdstream.connector;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.source.TransactionContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Task contexts without a worker, for driving tasks directly in unit tests. */
public final class FakeContexts {
    private FakeContexts() {
    }

    /** A source context whose offset store is a map the test controls. */
    public static final class Source implements SourceTaskContext {
        public final Map<Map<String, ?>, Map<String, Object>> offsets = new HashMap<>();
        public final List<Object> commitRequests = new ArrayList<>();
        public final List<Object> abortRequests = new ArrayList<>();
        /** Where the task's plugin metrics are registered, as a worker would (no reporter). */
        public final org.apache.kafka.common.metrics.Metrics metrics = new org.apache.kafka.common.metrics.Metrics();
        private final Map<String, String> configs;
        private final boolean transactional;

        /** The value of the task's plugin metric {@code name}. */
        public Object metric(String name) {
            return metrics.metrics().entrySet().stream().filter(e -> e.getKey().name().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no metric " + name)).getValue().metricValue();
        }

        public Source(Map<String, String> configs, boolean transactional) {
            this.configs = configs;
            this.transactional = transactional;
        }

        @Override
        public Map<String, String> configs() {
            return configs;
        }

        @Override
        public OffsetStorageReader offsetStorageReader() {
            return new OffsetStorageReader() {
                @Override
                public <T> Map<String, Object> offset(Map<String, T> partition) {
                    return offsets.get(partition);
                }

                @Override
                public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                    Map<Map<String, T>, Map<String, Object>> out = new HashMap<>();
                    for (Map<String, T> p : partitions) {
                        out.put(p, offsets.get(p));
                    }
                    return out;
                }
            };
        }

        @Override
        public TransactionContext transactionContext() {
            if (!transactional) {
                return null;
            }
            return new TransactionContext() {
                @Override
                public void commitTransaction() {
                    commitRequests.add("batch");
                }

                @Override
                public void commitTransaction(org.apache.kafka.connect.source.SourceRecord record) {
                    commitRequests.add(record);
                }

                @Override
                public void abortTransaction() {
                    abortRequests.add("batch");
                }

                @Override
                public void abortTransaction(org.apache.kafka.connect.source.SourceRecord record) {
                    abortRequests.add(record);
                }
            };
        }

        @Override
        public PluginMetrics pluginMetrics() {
            return new org.apache.kafka.common.metrics.internals.PluginMetricsImpl(metrics, Map.of("task", "0"));
        }
    }

    /** A sink context whose errant-record reporter collects what is reported (errors.tolerance=all). */
    public static final class Sink implements SinkTaskContext {
        public final List<Map.Entry<SinkRecord, Throwable>> reported = new ArrayList<>();
        private final Map<String, String> configs;

        public Sink(Map<String, String> configs) {
            this.configs = configs;
        }

        @Override
        public Map<String, String> configs() {
            return configs;
        }

        @Override
        public void offset(Map<TopicPartition, Long> offsets) {
        }

        @Override
        public void offset(TopicPartition tp, long offset) {
        }

        @Override
        public void timeout(long timeoutMs) {
        }

        @Override
        public Set<TopicPartition> assignment() {
            return Set.of(new TopicPartition("t", 0));
        }

        @Override
        public void pause(TopicPartition... partitions) {
        }

        @Override
        public void resume(TopicPartition... partitions) {
        }

        @Override
        public void requestCommit() {
        }

        @Override
        public ErrantRecordReporter errantRecordReporter() {
            return (record, error) -> {
                reported.add(Map.entry(record, error));
                return CompletableFuture.completedFuture(null);
            };
        }

        @Override
        public PluginMetrics pluginMetrics() {
            return null;
        }
    }
}
