package io.vhdstream.connector.metrics;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A task's metrics, registered through Connect's plugin metrics (KIP-877): the worker tags them with the
 * connector and task and exposes them over JMX like its own ({@code kafka.connect:type=plugins,connector=...,task=...}).
 * Without a worker that offers plugin metrics (unit tests), counters count nothing and gauges are not registered.
 * docs/operations.md lists every metric.
 */
public final class TaskMetrics implements AutoCloseable {
    /** A monotonic total. */
    public interface Counter {
        void add(long n);

        default void increment() {
            add(1);
        }
    }

    private static final Counter NONE = n -> { };

    private final PluginMetrics metrics;
    /** Sensor names are global in the worker (a second addSensor of a name returns the first task's sensor). */
    private final String sensorPrefix = java.util.UUID.randomUUID() + "-";
    private final List<String> sensors = new ArrayList<>();
    private final List<MetricName> gauges = new ArrayList<>();

    public TaskMetrics(PluginMetrics metrics) {
        this.metrics = metrics;
    }

    public Counter counter(String name, String description) {
        if (metrics == null) {
            return NONE;
        }
        Sensor s = metrics.addSensor(sensorPrefix + name);
        s.add(metrics.metricName(name, description, new LinkedHashMap<>()), new CumulativeSum());
        sensors.add(sensorPrefix + name);
        return s::record;
    }

    public void gauge(String name, String description, LongSupplier value) {
        if (metrics == null) {
            return;
        }
        MetricName m = metrics.metricName(name, description, new LinkedHashMap<>());
        metrics.addMetric(m, (Gauge<Long>) (config, now) -> value.getAsLong());
        gauges.add(m);
    }

    @Override
    public void close() {
        if (metrics == null) {
            return;
        }
        sensors.forEach(metrics::removeSensor);
        gauges.forEach(metrics::removeMetric);
        sensors.clear();
        gauges.clear();
    }
}
