package io.vhdstream.embedded.demo;

/** Durations and sizes as the demo and the soak print them. */
final class Units {
    private Units() {
    }

    static double secondsSince(long nanos) {
        return (System.nanoTime() - nanos) / 1e9;
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format("%.1f GiB", bytes / (double) (1L << 30));
        }
        return String.format("%.1f MiB", bytes / (double) (1L << 20));
    }
}
