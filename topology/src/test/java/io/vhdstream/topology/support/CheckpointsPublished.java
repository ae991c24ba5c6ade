package io.vhdstream.topology.support;

import io.vhdstream.topology.app.TopologyApp;
import io.vhdstream.topology.processor.DiskCommandProcessor;

import java.time.Duration;

/** Waits for a running topology's checkpoint publication (before a test deletes the commands it replaces). */
public final class CheckpointsPublished {
    private CheckpointsPublished() {
    }

    /** Until every task is running and none has base chunks queued for the checkpoint topic; fails after {@code timeout}. */
    public static void await(TopologyApp app, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!published(app)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the checkpoint was not published within " + timeout);
            }
            Thread.sleep(50);
        }
    }

    private static boolean published(TopologyApp app) {
        var pending = app.streams().metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(DiskCommandProcessor.CHECKPOINT_PENDING_METRIC)).toList();
        return !pending.isEmpty() && pending.stream().allMatch(e -> ((Number) e.getValue().metricValue()).doubleValue() == 0);
    }
}
