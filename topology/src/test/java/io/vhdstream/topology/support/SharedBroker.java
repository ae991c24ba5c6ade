package io.vhdstream.topology.support;

/**
 * One broker for all integration tests of this JVM (started on first use, stopped at exit): saves a start
 * per test class. Tests use their own topic names and application ids.
 */
public final class SharedBroker {
    private static TestBroker broker;

    private SharedBroker() {
    }

    public static synchronized TestBroker get() throws Exception {
        if (broker == null) {
            broker = TestBroker.start();
            TestBroker b = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    b.close();
                } catch (RuntimeException ignored) {
                    // exiting anyway
                }
            }));
        }
        return broker;
    }
}
