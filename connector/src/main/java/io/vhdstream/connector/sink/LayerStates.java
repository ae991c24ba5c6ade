package io.vhdstream.connector.sink;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The states of the replica layers a store knows: each change written to the layer's manifest, and counted for the
 * sink's metrics (read by the metrics thread): layers set to FAILED since start, layers now started but neither sealed
 * nor failed, resync bases switched in.
 */
final class LayerStates {
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong open = new AtomicLong();
    private final AtomicLong resyncs = new AtomicLong();

    /** Writes {@code m} as {@code l}'s manifest if it changed, and counts the change of state. */
    void update(ReplicaLayer l, LayerManifest m) throws IOException {
        if (!m.equals(l.manifest)) {
            m.write(l.manifestPath());
            LayerManifest.State was = l.manifest.state();
            l.manifest = m;
            if (was != m.state()) {
                if (was == LayerManifest.State.WRITING) {
                    open.decrementAndGet();
                }
                if (m.state() == LayerManifest.State.WRITING) {
                    open.incrementAndGet();
                } else if (m.state() == LayerManifest.State.FAILED) {
                    failed.incrementAndGet();
                }
            }
        }
    }

    /** A layer became known (made, or loaded from its manifest): counted if it is being written. */
    void known(ReplicaLayer l) {
        if (l.manifest.state() == LayerManifest.State.WRITING) {
            open.incrementAndGet();
        }
    }

    /** A layer is no longer known (replaced, removed or forgotten): no longer counted. */
    void forgotten(ReplicaLayer l) {
        if (l.manifest.state() == LayerManifest.State.WRITING) {
            open.decrementAndGet();
        }
    }

    /** Every layer forgotten at once (they are counted again as their disks load again). */
    void forgetAll() {
        open.set(0);
    }

    void resynced() {
        resyncs.incrementAndGet();
    }

    long failed() {
        return failed.get();
    }

    long resyncs() {
        return resyncs.get();
    }

    long open() {
        return Math.max(0, open.get());
    }
}
