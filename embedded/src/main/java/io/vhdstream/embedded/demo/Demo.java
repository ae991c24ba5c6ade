package io.vhdstream.embedded.demo;

import io.vhdstream.schemas.common.NameEncoding;
import io.vhdstream.embedded.EmbeddedBroker;
import io.vhdstream.embedded.EmbeddedConnect;
import io.vhdstream.schemas.layerdir.LayerDirectoryLines;
import io.vhdstream.topology.app.TopologyApp;
import io.vhdstream.topology.config.ClusterConnection;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.MergeRecord;
import io.vhdstream.topology.disk.SealedLayer;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The whole pipeline in one process: a KRaft broker (embedded unless a cluster is given), the Streams
 * topology materialising a seeded workload into VHD layers, a Connect worker running the changed-block
 * source over those layers and the replica sink writing a second chain, then verification of every stage
 * against an in-memory model of the disk.
 */
public final class Demo {
    private final DemoOptions options;
    private final DemoWriter writer;
    private final PrintWriter out;
    private final Progress progress;
    private final Checks checks = new Checks("");
    private final List<String[]> stages = new ArrayList<>();
    private final DemoWorkload workload;

    private Demo(DemoOptions options, DemoWriter writer, PrintWriter out) {
        this.options = options;
        this.writer = writer;
        this.out = out;
        this.progress = new Progress(out, options.interactive());
        this.workload = new DemoWorkload(options, writer);
    }

    /** Runs the demo; true when every check held. */
    public static boolean run(DemoOptions options, PrintWriter out) throws IOException, InterruptedException {
        return new Demo(options, null, out).run();
    }

    /** Runs the demo with {@code writer} making the disk's writes and snapshots instead of the seeded producer. */
    public static boolean run(DemoOptions options, DemoWriter writer, PrintWriter out) throws IOException, InterruptedException {
        try (writer) {
            return new Demo(options, writer, out).run();
        }
    }

    private boolean run() throws IOException, InterruptedException {
        Path work = options.keepDir() != null ? options.keepDir() : Files.createTempDirectory("vhdstream-demo-");
        Files.createDirectories(work);
        String runId = Long.toString(System.currentTimeMillis(), 36);
        String diskId = "demo-disk-" + runId;
        out.println("vhdstream demo: " + Units.human(options.diskSize()) + " disk, " + Units.human(options.writeVolume()) + " written, "
                + options.snapshots() + " snapshots, seed " + options.seed() + ", work dir " + work);
        EmbeddedBroker broker = null;
        TopologyApp topology = null;
        EmbeddedConnect connect = null;
        try {
            Map<String, Object> client = options.clientSettings();
            if (client == null) {
                long t = System.nanoTime();
                broker = EmbeddedBroker.start(work.resolve("kafka"), 0);
                client = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
                out.printf("embedded Kafka broker (KRaft) on %s, up in %.1f s%n", broker.bootstrapServers(), Units.secondsSince(t));
            } else {
                ClusterConnection.open(client, ClusterConnection.COMMAND_WAIT, null).close();
            }
            PipelineSettings.createTopics(client);
            Path layers = work.resolve("layers-" + runId);
            Path replica = work.resolve("replica-" + runId);
            topology = TopologyApp.start(PipelineSettings.topologyProps(client, "vhdstream-demo-" + runId, work, layers, options.retain()));
            if (!topology.awaitRunning(Duration.ofMinutes(2))) {
                throw new IOException("the topology did not reach RUNNING in 2 minutes: " + topology.state());
            }
            connect = EmbeddedConnect.start(client, work.resolve("connect-" + runId + ".offsets"), Map.of());
            connect.putConnector("vhd-source", PipelineSettings.sourceConfig(layers));
            connect.putConnector("vhd-replica", PipelineSettings.sinkConfig(replica));
            out.println("topology RUNNING, Connect worker up with the source and replica sink connectors");
            out.flush();

            BlockCounter blocks = BlockCounter.start(client);
            Path diskDir = layers.resolve(LayerNames.diskDir(diskId));
            Path replicaDiskDir = replica.resolve(NameEncoding.diskDir(diskId));
            progress.start(() -> String.format("produced %s | layers sealed %d/%d | changed blocks %d (%s) | replica at %s%s",
                    Units.human(workload.producedBytes()), SealedLines.count(SealedLines.sealedLayers(diskDir)), options.snapshots(), blocks.records.get(),
                    Units.human(blocks.bytes.get()), Replicas.newest(replicaDiskDir),
                    blocks.resyncs.get() == 0 ? "" : " (" + blocks.resyncs.get() + " resyncs)"));

            long t0 = System.nanoTime();
            Model model = writer == null ? workload.produce(client, diskId) : workload.write(client, diskId, work.resolve("writer-" + runId));
            double produceSeconds = Units.secondsSince(t0);
            Waits.awaitCount(() -> SealedLines.count(SealedLines.sealedLayers(diskDir)), options.snapshots(), "layers sealed by the topology");
            double topologySeconds = Units.secondsSince(t0);
            List<SealedLayer> all = SealedLayer.readAll(diskDir.resolve(LayerNames.SEALED));
            List<MergeRecord> merges = MergeRecord.readAll(diskDir.resolve(MergeRecord.FILE));
            int level = LayerDirectoryLines.MergeLine.level(merges);
            // Whatever way the replica got there (layer by layer, through merges, or a resync when the feed fell behind
            // the window): it holds the newest snapshot, and its base the same snapshot as the source's.
            SealedLayer newest = all.get(all.size() - 1);
            Waits.awaitProgress(() -> Replicas.holds(replicaDiskDir, newest.layerIndex(), newest.snapshotId(), level),
                    () -> blocks.records.get() + Replicas.bytes(replicaDiskDir),
                    () -> "at " + Replicas.newest(replicaDiskDir) + ", level " + Replicas.level(replicaDiskDir),
                    "the replica holding snapshot " + newest.snapshotId() + " with its base at level " + level);
            double replicaSeconds = Units.secondsSince(t0);
            progress.stop();

            List<SealedLayer> sealed = all.subList(level, all.size());   // the snapshots still retained
            checks.retention(all, merges, options.retain());
            checks.chain(model, diskDir, sealed, options.snapshots());
            checks.replica(model, replicaDiskDir, sealed, level, options.retain());
            double rebuildSeconds = checks.rebuild(model, client, diskId, work.resolve("rebuild-" + runId), sealed,
                    options.retention());
            if (!workload.points().isEmpty()) {
                checks.rebuildAt(client, diskId, work.resolve("rebuild-at-" + runId), workload.points(), options.retention());
            }
            checks.everyLayer(diskDir, replicaDiskDir);
            if (writer != null) {
                writer.verify(new DemoWriter.Outputs(diskId, layers, replica, work.resolve("rebuild-" + runId),
                        sealed.stream().map(SealedLayer::snapshotId).toList(), model.digests()), checks::check);
            }
            int failed = Replicas.failed(replicaDiskDir);
            checks.check("no source errors and no failed replica layers", blocks.errors.get() == 0 && failed == 0,
                    blocks.errorSummary() + ", " + failed + " failed replica layers");
            blocks.close();

            long data = workload.producedBytes();
            stage(writer == null ? "produce write events" : writer.stageName(), data, produceSeconds,
                    workload.producedCommands() + (writer == null ? " commands" : " client operations"));
            stage("topology: events -> VHD layers", data, topologySeconds, all.size() + " layers sealed, "
                    + merges.size() + " merges");
            stage("source: layers -> changed blocks", blocks.bytes.get(), replicaSeconds, blocks.records.get() + " records"
                    + (blocks.resyncs.get() == 0 ? "" : ", " + blocks.resyncs.get() + " resyncs (the feed fell behind the window)"));
            stage("sink: changed blocks -> replica", blocks.bytes.get(), replicaSeconds, Replicas.sealed(replicaDiskDir) + " layers");
            stage("rebuild every retained snapshot", model.size() * sealed.size(), rebuildSeconds, sealed.size() + " rebuilds");
            printSummary();
            return checks.allOk();
        } finally {
            progress.stop();
            if (connect != null) {
                connect.close();
            }
            if (topology != null) {
                topology.close();
            }
            if (broker != null) {
                broker.close();
            }
            if (options.keepDir() == null) {
                io.vhdstream.vhd.io.Directories.deleteTree(work);
            }
        }
    }

    private void stage(String what, long bytes, double seconds, String detail) {
        stages.add(new String[] {what, Units.human(bytes), String.format("%.1f s", seconds),
            String.format("%.1f MiB/s", bytes / 1048576.0 / Math.max(seconds, 1e-3)), detail});
    }

    private void printSummary() {
        out.println();
        out.println("verification");
        checks.print(out);
        out.println();
        out.println("throughput (each stage from the first event sent; the machine's other work counts too)");
        out.printf("  %-38s %10s %9s %13s  %s%n", "stage", "data", "time", "rate", "");
        for (String[] s : stages) {
            out.printf("  %-38s %10s %9s %13s  %s%n", (Object[]) s);
        }
        out.println();
        out.println(checks.allOk() ? "demo: ALL CHECKS PASSED" : "demo: SOME CHECKS FAILED");
        out.flush();
    }
}
