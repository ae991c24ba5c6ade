package io.vhdstream.embedded.demo;

import io.vhdstream.embedded.EmbeddedBroker;
import io.vhdstream.schemas.common.NameEncoding;
import io.vhdstream.schemas.layerdir.LayerDirectoryLines;
import io.vhdstream.topology.Topics;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.MergeRecord;
import io.vhdstream.topology.disk.SealedLayer;
import io.vhdstream.topology.produce.WorkloadProducer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Future;

/**
 * The pipeline run for a long time under kills: an embedded KRaft broker in this JVM (it stays up), the topology
 * and a stock distributed Connect worker (source and replica sink, exactly-once source) each in a child JVM that is
 * killed with SIGKILL and restarted at random; steady writes and snapshots to {@code disks} disks with a small
 * retention so that merges happen all the time. Prints a table over time, then verifies every retained snapshot of
 * the chain, the replica and rebuilds from the log, and rebuilds at random points, against a model of each disk.
 */
public final class Soak {
    /** Rebuild --at points per disk, taken inside the final retention window. */
    private static final int REBUILD_POINTS = 8;
    private static final String SINK_DLQ = "vhdstream-replica-dlq";

    private final SoakOptions options;
    private final PrintWriter out;
    private boolean disksPassed = true;

    private Soak(SoakOptions options, PrintWriter out) {
        this.options = options;
        this.out = out;
    }

    /** Runs the soak; true when every check held. */
    public static boolean run(SoakOptions options, PrintWriter out) throws IOException, InterruptedException {
        return new Soak(options, out).run();
    }

    private boolean run() throws IOException, InterruptedException {
        Path work = options.keepDir() != null ? options.keepDir() : Files.createTempDirectory("vhdstream-soak-");
        Files.createDirectories(work);
        String runId = Long.toString(System.currentTimeMillis(), 36);
        int n = options.snapshots();
        out.printf("vhdstream soak: %s, %d disk(s) of %s, %s/s written, %d snapshots each (one every %.1f s), retain %d,"
                        + " kills about every %d s, seed %d, work dir %s%n", SoakTable.clock(options.duration().toMillis()),
                options.disks(), Units.human(options.diskSize()), Units.human(options.writeRate()), n,
                options.duration().toMillis() / 1000.0 / n, options.retain(), options.killEvery().toSeconds(),
                options.seed(), work);
        boolean passed = false;
        EmbeddedBroker broker = EmbeddedBroker.start(work.resolve("kafka"), 0);
        TopologyChild topology = null;
        WorkerChild worker = null;
        try {
            Map<String, Object> client = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            PipelineSettings.createTopics(client);
            EmbeddedBroker.createTopics(client, Map.of(SINK_DLQ, 1));
            Path layers = work.resolve("layers");
            Path replica = work.resolve("replica");
            Properties tp = PipelineSettings.topologyProps(client, "vhdstream-soak-" + runId, work, layers, options.retain());
            tp.put("vhdstream.static.membership", "true");   // as shipped: a restart takes its tasks back at once
            topology = new TopologyChild(tp, work);
            worker = new WorkerChild(broker.bootstrapServers(), "vhdstream-soak-connect-" + runId, work);
            out.printf("embedded broker on %s; topology up in %.1f s", broker.bootstrapServers(),
                    topology.start(SoakKills.RESTART_TIMEOUT));
            out.printf(", Connect worker in %.1f s (child JVMs, logs in %s)%n", worker.start(SoakKills.RESTART_TIMEOUT), work);
            worker.putConnector("vhd-source", sourceConfig(layers));
            worker.putConnector("vhd-replica", sinkConfig(replica));

            List<SoakDisk> disks = new ArrayList<>();
            for (int i = 0; i < options.disks(); i++) {
                disks.add(new SoakDisk("soak-" + runId + "-" + i, options.diskSize(), options.seed() + i));
            }
            SoakTable table = new SoakTable(layers, replica, disks.stream().map(d -> d.diskId).toList());
            SoakKills kills = new SoakKills(List.of(topology, worker), options.killEvery().toMillis(), options.seed(),
                    options.outageEvery(), options.outage().toMillis());
            BlockCounter blocks = BlockCounter.start(client);
            out.println();
            out.println(SoakTable.HEADER);
            out.flush();
            kills.start();
            long t0 = System.currentTimeMillis();
            Thread reporter = reporter(table, disks, topology, worker, kills, t0);
            try {
                produce(client, disks, n, t0, table);
            } finally {
                kills.stop();
                reporter.interrupt();
                reporter.join(120_000);
            }
            out.printf("writes done after %s; waiting for the topology and the replica to catch up%n",
                    SoakTable.clock(System.currentTimeMillis() - t0));
            for (ServiceChild s : List.of(topology, worker)) {
                if (!s.alive()) {
                    s.start(SoakKills.RESTART_TIMEOUT);
                }
            }
            Checks checks = new Checks("");
            for (SoakDisk d : disks) {
                Path diskDir = layers.resolve(LayerNames.diskDir(d.diskId));
                Waits.awaitCount(() -> SealedLines.count(SealedLines.sealedLayers(diskDir)), n, "layers of " + d.diskId
                        + " sealed by the topology");
            }
            String replicaProblem = awaitReplica(layers, replica, disks);
            table.row(out, System.currentTimeMillis() - t0, n * disks.size(), topology, worker, kills);
            out.println();
            out.println("topology: " + kills.summary(topology));
            out.println("connect worker: " + kills.summary(worker) + "; " + kills.outages() + " long outage(s) of "
                    + options.outage().toSeconds() + " s (retention window + 2 snapshots)");
            long sourceResyncs = worker.resyncs(WorkerChild.SOURCE_RESYNCS);
            long replicaResyncs = worker.resyncs(WorkerChild.REPLICA_RESYNCS);
            out.println("resyncs: " + sourceResyncs + " by the source (source-resyncs-total), " + replicaResyncs
                    + " switched in by the replica (replica-resyncs-total), " + blocks.resyncs.get()
                    + " resync bases committed to the feed");
            for (String f : kills.failures()) {
                out.println("restart problem: " + f);
            }
            out.println("deepest chain seen: " + table.maxDepth() + " files (base, retained layers, active layer)");
            out.println();
            out.println("verification");
            for (SoakDisk d : disks) {
                verify(d, client, layers, replica, work.resolve("rebuild-" + d.diskId), n).print(out);
            }
            int failed = 0;
            for (SoakDisk d : disks) {
                failed += Replicas.failed(replica.resolve(NameEncoding.diskDir(d.diskId)));
            }
            blocks.close();
            checks.check("replica caught up with every disk's last snapshot", replicaProblem.isEmpty(),
                    replicaProblem.isEmpty() ? "all sealed" : replicaProblem);
            checks.check("no source errors and no failed replica layers", blocks.errors.get() == 0 && failed == 0,
                    blocks.errorSummary() + ", " + failed + " failed replica layers");
            checks.check("every killed service came back", kills.failures().isEmpty(), kills.failures().size() + " problems");
            // A long outage is there to make the feed fall behind a merge: if nothing resynced, the run did not show it.
            int outages = kills.outages();
            checks.check("each long outage made a resync (source, feed, replica)", sourceResyncs >= outages
                    && blocks.resyncs.get() >= outages && replicaResyncs >= outages,
                    outages + " outages; resyncs " + sourceResyncs + " source, " + replicaResyncs + " replica, "
                    + blocks.resyncs.get() + " on the feed");
            checks.print(out);
            passed = checks.allOk() && disksPassed;
            Files.write(work.resolve("soak-table.txt"), tableLines(table));
            out.println();
            out.println(passed ? "soak: ALL CHECKS PASSED" : "soak: SOME CHECKS FAILED (work dir " + work + " kept)");
            out.flush();
            return passed;
        } finally {
            if (worker != null) {
                worker.stop();
            }
            if (topology != null) {
                topology.stop();
            }
            broker.close();
            if (options.keepDir() == null && passed) {
                io.vhdstream.vhd.io.Directories.deleteTree(work);
            }
        }
    }

    private List<String> tableLines(SoakTable table) {
        List<String> lines = new ArrayList<>();
        lines.add(SoakTable.HEADER);
        lines.addAll(table.rows());
        return lines;
    }

    /**
     * Steady writes, round robin over the disks, paced to the rate; snapshot k of every disk at k/n of the duration.
     * Once the snapshot that will be the oldest retained one is taken, some writes become rebuild points.
     */
    private void produce(Map<String, Object> client, List<SoakDisk> disks, int n, long t0, SoakTable table)
            throws IOException, InterruptedException {
        long intervalMs = options.duration().toMillis() / n;
        double writesPerMs = options.writeRate() / (double) SoakDisk.WRITE_BYTES / 1000.0;
        long windowWrites = (long) (writesPerMs * intervalMs * Math.max(1, options.retain() - 1));
        SplittableRandom r = new SplittableRandom(options.seed());
        long writes = 0;
        try (WorkloadProducer producer = WorkloadProducer.connect(client, Topics.COMMANDS)) {
            for (int k = 1; k <= n; k++) {
                long due = t0 + k * intervalMs;
                boolean inWindow = k > n - options.retain() + 1;
                long now;
                while ((now = System.currentTimeMillis()) < due) {
                    long owed = (long) ((now - t0) * writesPerMs) - writes;
                    if (owed <= 0) {
                        Thread.sleep(Math.min(due - now, Math.max(1, (long) (1 / writesPerMs))));
                        continue;
                    }
                    SoakDisk d = disks.get((int) (writes++ % disks.size()));
                    Future<RecordMetadata> sent = d.write(producer);
                    if (inWindow && d.points().size() < REBUILD_POINTS
                            && r.nextLong(Math.max(1, windowWrites / REBUILD_POINTS)) == 0) {
                        d.remember(sent);
                    }
                }
                for (SoakDisk d : disks) {
                    d.snapshot(producer);
                }
                producer.flush();
                table.sampleDepth();
            }
        }
    }

    private Thread reporter(SoakTable table, List<SoakDisk> disks, ServiceChild topology, WorkerChild worker,
                            SoakKills kills, long t0) {
        Thread t = new Thread(() -> {
            long next = t0 + options.reportEvery().toMillis();
            try {
                while (true) {
                    Thread.sleep(Math.max(1, Math.min(5000, next - System.currentTimeMillis())));
                    table.sampleDepth();
                    if (System.currentTimeMillis() >= next) {
                        int snaps = disks.stream().mapToInt(SoakDisk::snapshots).sum();
                        table.row(out, System.currentTimeMillis() - t0, snaps, topology, worker, kills);
                        next += options.reportEvery().toMillis();
                    }
                }
            } catch (InterruptedException e) {
                // the run is over
            }
        }, "soak-report");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Waits until each disk's replica has sealed the layer of its last snapshot and merged as far as the source;
     * "" or what it reached.
     */
    private static String awaitReplica(Path layers, Path replica, List<SoakDisk> disks) throws IOException,
            InterruptedException {
        StringBuilder problem = new StringBuilder();
        for (SoakDisk d : disks) {
            List<SealedLayer> all = SealedLayer.readAll(layers.resolve(LayerNames.diskDir(d.diskId)).resolve(LayerNames.SEALED));
            int last = all.get(all.size() - 1).layerIndex();
            Path dir = replica.resolve(NameEncoding.diskDir(d.diskId));
            List<MergeRecord> merges = MergeRecord.readAll(layers.resolve(LayerNames.diskDir(d.diskId)).resolve(MergeRecord.FILE));
            int level = LayerDirectoryLines.MergeLine.level(merges);
            try {
                Waits.awaitCount(() -> Replicas.layers(dir).containsKey(last) ? 1 : 0, 1, "the replica of " + d.diskId
                        + " sealing layer " + last);
                Waits.awaitCount(() -> Replicas.level(dir), level, "the replica of " + d.diskId + " merged up to the"
                        + " source's base");
            } catch (IOException e) {
                problem.append(problem.length() == 0 ? "" : "; ").append(e.getMessage());
            }
        }
        return problem.toString();
    }

    private Checks verify(SoakDisk d, Map<String, Object> client, Path layers, Path replica, Path dir, int n)
            throws IOException {
        Checks checks = new Checks(d.diskId.substring(d.diskId.lastIndexOf('-') + 1) + ": ");
        Path diskDir = layers.resolve(LayerNames.diskDir(d.diskId));
        Path replicaDir = replica.resolve(NameEncoding.diskDir(d.diskId));
        List<SealedLayer> all = SealedLayer.readAll(diskDir.resolve(LayerNames.SEALED));
        List<MergeRecord> merges = MergeRecord.readAll(diskDir.resolve(MergeRecord.FILE));
        int level = LayerDirectoryLines.MergeLine.level(merges);
        List<SealedLayer> sealed = all.subList(level, all.size());
        checks.retention(all, merges, options.retain());
        checks.chain(d.model, diskDir, sealed, n);
        checks.replica(d.model, replicaDir, sealed, level, options.retain());
        checks.rebuild(d.model, client, d.diskId, dir, sealed, options.retention());
        checks.rebuildAt(client, d.diskId, dir.resolve("at"), new TreeMap<>(d.points()), options.retention());
        checks.everyLayer(diskDir, replicaDir);
        disksPassed &= checks.allOk();
        return checks;
    }

    /** The source as shipped (config/vhd-source-connector.json): exactly-once, short transactions. */
    private static Map<String, String> sourceConfig(Path layers) {
        Map<String, String> c = new HashMap<>(PipelineSettings.sourceConfig(layers));
        c.put("exactly.once.support", "required");
        c.put("transaction.boundary", "connector");
        c.put("producer.override.transaction.timeout.ms", "20000");
        return c;
    }

    /** The replica sink as shipped (config/vhd-replica-sink-connector.json): reads committed records only. */
    private static Map<String, String> sinkConfig(Path replica) {
        Map<String, String> c = new HashMap<>(PipelineSettings.sinkConfig(replica));
        c.put("consumer.override.isolation.level", "read_committed");
        c.put("consumer.override.session.timeout.ms", "10000");
        c.put("errors.tolerance", "all");
        c.put("errors.deadletterqueue.topic.name", SINK_DLQ);
        c.put("errors.deadletterqueue.topic.replication.factor", "1");
        return c;
    }
}
