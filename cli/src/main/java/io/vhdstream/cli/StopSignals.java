package io.vhdstream.cli;

import java.util.concurrent.CountDownLatch;

/**
 * SIGTERM and SIGINT as a request to stop, for the verbs that run until stopped (topology, broker). With the
 * JVM's default handling a service stopped by SIGTERM exits 143, which service managers read as a failure;
 * handled here, the verb closes what it runs and returns, and the process exits 0 after a clean stop.
 */
public final class StopSignals {
    private StopSignals() {
    }

    /** Installs the handlers; the latch opens on the first SIGTERM or SIGINT. */
    public static CountDownLatch install() {
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> stop.countDown());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // the platform does not let us handle it (or the JVM uses it): fall back to a shutdown hook
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "vhdstream-stop"));
            }
        }
        return stop;
    }
}
