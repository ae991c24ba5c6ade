package io.vhdstream.bench;

/** Progress on stderr, so stdout carries only the report. */
final class Log {
    private final long start = System.nanoTime();

    void step(String msg) {
        System.err.printf("[%7.1f s] %s%n", (System.nanoTime() - start) / 1e9, msg);
        System.err.flush();
    }

    void detail(String msg) {
        System.err.println(msg);
        System.err.flush();
    }
}
