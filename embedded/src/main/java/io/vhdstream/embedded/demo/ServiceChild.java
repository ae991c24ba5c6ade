package io.vhdstream.embedded.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One of the services the soak kills and restarts (the topology, the Connect worker) in a child JVM: started,
 * killed with SIGKILL, and restarted, each start timed until the service reports it is working again.
 */
abstract class ServiceChild {
    private final String name;
    private final Path log;
    private ChildJvm jvm;
    private int starts;

    ServiceChild(String name, Path log) {
        this.name = name;
        this.log = log;
    }

    String name() {
        return name;
    }

    /** Starts the JVM (it must not be running) and returns the seconds until it is working again. */
    final double start(Duration timeout) throws IOException, InterruptedException {
        long t = System.nanoTime();
        starts++;
        jvm = launch(log);
        long deadline = t + timeout.toNanos();
        while (!working()) {
            if (!jvm.alive()) {
                throw new IOException(name + " exited while starting (start " + starts + "); see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(name + " was not working " + timeout.toSeconds() + " s after start " + starts
                        + "; see " + log);
            }
            Thread.sleep(100);
        }
        return Units.secondsSince(t);
    }

    final void kill() throws InterruptedException {
        beforeExit();
        jvm.kill();
    }

    /** The process id of the JVM last started (-1: none). */
    final long pid() {
        ChildJvm j = jvm;
        return j == null ? -1 : j.pid();
    }

    /** Called right before the JVM is killed or stopped, while it still answers. */
    void beforeExit() {
    }

    final void stop() throws InterruptedException {
        if (jvm != null) {
            beforeExit();
            jvm.stop(60);
        }
    }

    final boolean alive() {
        return jvm != null && jvm.alive();
    }

    final long heapAfterGc() {
        ChildJvm j = jvm;
        return j != null && j.alive() ? j.heapAfterGc() : -1;
    }

    /** Starts the child JVM, appending its diagnostics to {@code log}. */
    abstract ChildJvm launch(Path log) throws IOException;

    /** Whether the last started JVM is doing its work (processing, tasks running). */
    abstract boolean working();
}
