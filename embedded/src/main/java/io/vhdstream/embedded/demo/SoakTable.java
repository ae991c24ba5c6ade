package io.vhdstream.embedded.demo;

import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.MergeRecord;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The soak's table over time: one row per report of what the layer and replica directories hold, the heaps of the
 * three JVMs after a full GC, the kills so far and the recovery times, the resyncs (source and replica, from the
 * worker's metrics) and the load average. Also samples the chain
 * depth between rows so that the deepest chain seen is not missed.
 */
final class SoakTable {
    static final String HEADER = String.format("%7s %5s %6s %7s %6s %5s %5s %9s %9s %8s %8s %8s %5s %9s %9s %6s %5s",
            "time", "snaps", "sealed", "replica", "merges", "depth", "max", "layers", "replica", "heap-top", "heap-wrk",
            "heap-drv", "kills", "rec-top", "rec-wrk", "resync", "load");

    private final Path layersRoot;
    private final Path replicaRoot;
    private final List<String> diskDirs;
    private final List<String> rows = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger maxDepth = new java.util.concurrent.atomic.AtomicInteger();

    SoakTable(Path layersRoot, Path replicaRoot, List<String> diskIds) {
        this.layersRoot = layersRoot;
        this.replicaRoot = replicaRoot;
        this.diskDirs = diskIds.stream().map(LayerNames::diskDir).toList();
    }

    /** Deepest chain of any disk right now: the VHD files of its directory (base, retained layers, the active one). */
    int sampleDepth() {
        int deepest = 0;
        for (String d : diskDirs) {
            deepest = Math.max(deepest, countFiles(layersRoot.resolve(d), ".vhd"));
        }
        maxDepth.accumulateAndGet(deepest, Math::max);
        return deepest;
    }

    /** Chain depth seen at any sample. */
    int maxDepth() {
        return maxDepth.get();
    }

    /** Adds and prints a row. */
    synchronized String row(PrintWriter out, long elapsedMs, int snapshotsSent, ServiceChild topology, WorkerChild worker,
                            SoakKills kills) {
        int sealed = 0;
        int replica = 0;
        int merges = 0;
        for (String d : diskDirs) {
            sealed += SealedLines.count(SealedLines.sealedLayers(layersRoot.resolve(d)));
            replica += Replicas.sealed(replicaRoot.resolve(d));
            merges += mergeCount(layersRoot.resolve(d));
        }
        int depth = sampleDepth();
        worker.sampleResyncs();
        String row = String.format("%7s %5d %6d %7d %6d %5d %5d %9s %9s %8s %8s %8s %5s %9s %9s %6s %5.1f",
                clock(elapsedMs), snapshotsSent, sealed, replica, merges, depth, maxDepth(), mib(treeBytes(layersRoot)),
                mib(treeBytes(replicaRoot)), mib(topology.heapAfterGc()), mib(worker.heapAfterGc()), mib(driverHeap()),
                kills.topologyKills() + "/" + kills.workerKills(), kills.last(topology), kills.last(worker),
                worker.resyncs(WorkerChild.SOURCE_RESYNCS) + "/" + worker.resyncs(WorkerChild.REPLICA_RESYNCS),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        rows.add(row);
        out.println(row);
        out.flush();
        return row;
    }

    synchronized List<String> rows() {
        return List.copyOf(rows);
    }

    /** This JVM's heap (broker, producer, models) after a full GC. */
    private static long driverHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static int mergeCount(Path diskDir) {
        try {
            return MergeRecord.readAll(diskDir.resolve(MergeRecord.FILE)).size();
        } catch (IOException e) {
            return 0;   // being written right now: the next row counts it
        }
    }

    private static int countFiles(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return (int) s.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static long treeBytes(Path root) {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;   // deleted by a merge while we walked
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }

    static String clock(long ms) {
        long s = ms / 1000;
        return String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    static String mib(long bytes) {
        return bytes < 0 ? "-" : String.format("%.1fM", bytes / 1048576.0);
    }
}
