package io.vhdstream.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Peak heap of one stretch of work, two ways: the highest heap in use as sampled every few milliseconds
 * (garbage included, so it mostly shows how far the young generation grew) and the highest heap still in
 * use right after a collection (what the work really kept alive), from the collectors' notifications.
 */
final class HeapMeter implements AutoCloseable {
    record Peak(long sampledUsed, long afterGcUsed, int collections) {
    }

    private final AtomicLong sampled = new AtomicLong();
    private final AtomicLong afterGc = new AtomicLong();
    private final AtomicLong gcs = new AtomicLong();
    private final List<Runnable> unregister = new ArrayList<>();
    private final Thread poller;
    private volatile boolean running = true;

    HeapMeter() {
        System.gc();
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
        afterGc.set(heapUsed());
        NotificationListener l = (n, handback) -> {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                return;
            }
            var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
            long used = 0;
            for (MemoryUsage u : info.getGcInfo().getMemoryUsageAfterGc().values()) {
                used += u.getUsed();
            }
            // non-heap pools (metaspace, code cache) are in the map too: take them out
            for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() != MemoryType.HEAP) {
                    MemoryUsage u = info.getGcInfo().getMemoryUsageAfterGc().get(pool.getName());
                    if (u != null) {
                        used -= u.getUsed();
                    }
                }
            }
            long u = used;
            afterGc.accumulateAndGet(u, Math::max);
            gcs.incrementAndGet();
        };
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(l, null, null);
                unregister.add(() -> {
                    try {
                        e.removeNotificationListener(l);
                    } catch (Exception ignored) {
                        // nothing to undo
                    }
                });
            }
        }
        poller = new Thread(() -> {
            while (running) {
                sampled.accumulateAndGet(heapUsed(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-meter");
        poller.setDaemon(true);
        poller.start();
    }

    static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long heapMax() {
        return Runtime.getRuntime().maxMemory();
    }

    Peak peak() {
        return new Peak(Math.max(sampled.get(), heapUsed()), afterGc.get(), (int) gcs.get());
    }

    @Override
    public void close() {
        running = false;
        try {
            poller.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        unregister.forEach(Runnable::run);
    }
}
