package io.vhdstream.embedded.demo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The soak's chaos: at random times (uniform between half and one and a half times the mean interval) one of the
 * services is killed with SIGKILL and started again, in turn from a random first one (so that a short run kills
 * each); each recovery (start to working) is recorded. Every {@code outageEvery}-th kill of the worker is a long
 * outage: it stays down {@code outageMs} before it is started again (a host down for a while), so that its feed
 * falls behind retention.
 */
final class SoakKills implements Runnable {
    /** How long a killed service may take to work again. */
    static final java.time.Duration RESTART_TIMEOUT = java.time.Duration.ofMinutes(5);
    private final List<ServiceChild> services;
    private final long meanMs;
    private final SplittableRandom random;
    private final Map<ServiceChild, List<Double>> recoveries = new HashMap<>();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final int outageEvery;
    private final long outageMs;
    private final java.util.concurrent.atomic.AtomicInteger outages = new java.util.concurrent.atomic.AtomicInteger();
    private boolean stopping;
    private int turn;
    private int workerKills;
    private Thread thread;

    /** @param services the topology first, the worker second */
    SoakKills(List<ServiceChild> services, long meanMs, long seed, int outageEvery, long outageMs) {
        this.services = services;
        this.meanMs = meanMs;
        this.outageEvery = outageEvery;
        this.outageMs = outageMs;
        this.random = new SplittableRandom(seed ^ 0xc4a05L);
        this.turn = random.nextInt(services.size());
        services.forEach(s -> recoveries.put(s, Collections.synchronizedList(new ArrayList<>())));
    }

    void start() {
        if (meanMs > 0) {
            thread = new Thread(this, "soak-kills");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Stops killing; a restart under way finishes first. */
    void stop() throws InterruptedException {
        synchronized (this) {
            stopping = true;
            notifyAll();   // ends the wait for the next kill, not a restart (an interrupt would cut that short)
        }
        if (thread != null) {
            thread.join(2 * RESTART_TIMEOUT.toMillis());
        }
    }

    @Override
    public void run() {
        while (true) {
            try {
                if (!pause(meanMs / 2 + random.nextLong(meanMs + 1))) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            ServiceChild victim = services.get(turn++ % services.size());
            boolean outage = victim == services.get(1) && outageEvery > 0 && ++workerKills % outageEvery == 0;
            try {
                victim.kill();
                if (outage && pause(outageMs)) {   // cut short (and not counted) when the run ends
                    outages.incrementAndGet();
                }
                recoveries.get(victim).add(victim.start(RESTART_TIMEOUT));
            } catch (Exception e) {
                failures.add(victim.name() + ": " + e.getMessage());
                try {
                    if (!victim.alive()) {
                        recoveries.get(victim).add(victim.start(RESTART_TIMEOUT));
                    }
                } catch (Exception again) {
                    failures.add(victim.name() + " (second start): " + again.getMessage());
                }
            }
        }
    }

    /** Waits {@code ms} unless the run is stopping; false when it is. */
    private synchronized boolean pause(long ms) throws InterruptedException {
        long until = System.currentTimeMillis() + ms;
        for (long now; !stopping && (now = System.currentTimeMillis()) < until; ) {
            wait(until - now);
        }
        return !stopping;
    }

    /** Long outages of the worker so far (each lasted its full time). */
    int outages() {
        return outages.get();
    }

    int topologyKills() {
        return recoveries.get(services.get(0)).size();
    }

    int workerKills() {
        return recoveries.get(services.get(1)).size();
    }

    /** The latest recovery time of {@code s}, as "12.3s", or "-". */
    String last(ServiceChild s) {
        List<Double> r = recoveries.get(s);
        synchronized (r) {
            return r.isEmpty() ? "-" : String.format("%.1fs", r.get(r.size() - 1));
        }
    }

    /** "n kills, recovery min/median/max a/b/c s" for {@code s}. */
    String summary(ServiceChild s) {
        List<Double> r;
        synchronized (recoveries.get(s)) {
            r = new ArrayList<>(recoveries.get(s));
        }
        if (r.isEmpty()) {
            return "0 kills";
        }
        Collections.sort(r);
        return String.format("%d kills, back working after min %.1f s, median %.1f s, max %.1f s", r.size(), r.get(0),
                r.get(r.size() / 2), r.get(r.size() - 1));
    }

    List<String> failures() {
        return List.copyOf(failures);
    }
}
