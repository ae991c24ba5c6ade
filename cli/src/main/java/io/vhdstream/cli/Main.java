package io.vhdstream.cli;

/** The {@code vhdstream} entry point. Everything else lives in {@link Cli}, which tests use too. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        int code = Cli.run(Terminal.system(), args);
        if (code != 0 && shuttingDown()) {
            // A signal stopped the work under way (its failure is the consequence): let the JVM finish the
            // signal's own exit (143 for SIGTERM) instead of racing it with ours, which Java would halt with.
            Thread.currentThread().join();
        }
        System.exit(code);
    }

    private static boolean shuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
