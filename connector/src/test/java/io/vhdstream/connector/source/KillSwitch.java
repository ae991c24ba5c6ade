package io.vhdstream.connector.source;

import io.vhdstream.connector.convert.BlockEvents;
import io.vhdstream.schemas.block.ChangedBlock;
import io.vhdstream.schemas.block.ZeroExtent;
import org.apache.kafka.connect.source.SourceRecord;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fails a running source task once, in the middle of a layer, as a crash would: the batch being returned is
 * lost and the task dies with an exception. For tests with an in-process worker, whose connector is
 * {@link CrashingSourceConnector} (the production task has no test hook).
 */
public final class KillSwitch implements AutoCloseable {
    private static volatile KillSwitch armed;

    private final String taskPrefix;
    private final long extentIndex;
    private final long lingerMs;
    private final AtomicBoolean fired = new AtomicBoolean();

    /**
     * @param taskPrefix    the connector's name
     * @param extentIndex   fail the first batch holding a data record of at least this extentIndex
     * @param lingerMs      wait this long first, so the worker commits the offsets of what was already sent
     */
    public KillSwitch(String taskPrefix, long extentIndex, long lingerMs) {
        this.taskPrefix = taskPrefix;
        this.extentIndex = extentIndex;
        this.lingerMs = lingerMs;
        armed = this;
    }

    /** Called by {@link CrashingSourceTask} after every poll. */
    static void afterPoll(String connector, List<SourceRecord> batch) {
        KillSwitch k = armed;
        if (k != null && batch != null) {
            k.check(connector, batch);
        }
    }

    private void check(String connector, List<SourceRecord> batch) {
        if (!connector.equals(taskPrefix) || fired.get() || !reaches(batch, extentIndex)) {
            return;
        }
        if (fired.compareAndSet(false, true)) {
            try {
                Thread.sleep(lingerMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("KillSwitch: simulated crash of " + connector + " in the middle of a layer");
        }
    }

    private static boolean reaches(List<SourceRecord> batch, long extentIndex) {
        for (SourceRecord r : batch) {
            if (!(r.value() instanceof byte[] || r.value() instanceof org.apache.kafka.connect.data.Struct)) {
                continue;
            }
            Object p = BlockEvents.fromConnect(r.value()).getPayload();
            long idx = p instanceof ChangedBlock c ? c.getExtentIndex() : p instanceof ZeroExtent z ? z.getExtentIndex() : -1;
            if (idx >= extentIndex) {
                return true;
            }
        }
        return false;
    }

    public boolean fired() {
        return fired.get();
    }

    @Override
    public void close() {
        if (armed == this) {
            armed = null;
        }
    }
}
