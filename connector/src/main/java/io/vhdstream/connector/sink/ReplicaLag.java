package io.vhdstream.connector.sink;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How far a sink task's replica is behind the layers it was sent, in time: the age of the oldest layer whose
 * StartOfLayer the task applied and whose EndOfLayer it has not sealed yet (a FAILED layer stays, so the lag grows
 * until it is resynced). Zero when every layer begun is sealed; the sink consumer's {@code records-lag} says how
 * much of the blocks topic is not read yet.
 */
final class ReplicaLag {
    private final Map<String, Long> openSince = new ConcurrentHashMap<>();

    /** A layer begun (or begun again) by a StartOfLayer produced at {@code producedAt} (epoch ms). */
    void started(String diskId, int layerIndex, long producedAt) {
        openSince.put(key(diskId, layerIndex), producedAt);
    }

    void sealed(String diskId, int layerIndex) {
        openSince.remove(key(diskId, layerIndex));
    }

    /**
     * The disk's chain was replaced by a resynced base, or the disk was deleted at the source: layers of it begun before
     * (cut short by the merge that made the resync, or by the deletion) will never be sealed, and would hold the lag, and
     * their entries, for good (issue 9.7).
     */
    void forgetDisk(String diskId) {
        openSince.keySet().removeIf(k -> k.startsWith(diskId + "\u0000"));
    }

    /** How many layers are begun and not sealed (tests: bounded). */
    int open() {
        return openSince.size();
    }

    /** The task gave up its partitions: what it had open is another task's now. */
    void clear() {
        openSince.clear();
    }

    long lagMs(long now) {
        return openSince.values().stream().mapToLong(t -> Math.max(0, now - t)).max().orElse(0);
    }

    private static String key(String diskId, int layerIndex) {
        return diskId + "\u0000" + layerIndex;
    }
}
