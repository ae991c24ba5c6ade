package io.vhdstream.topology.it;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.layer.LayerEvent;
import io.vhdstream.topology.config.TopologyConfig;
import io.vhdstream.topology.produce.WorkloadProducer;
import io.vhdstream.topology.produce.WorkloadSpec;
import io.vhdstream.topology.support.ChildApp;
import io.vhdstream.topology.support.LayerEvents;
import io.vhdstream.topology.support.Layers;
import io.vhdstream.topology.support.Scenario;
import io.vhdstream.topology.support.SharedBroker;
import io.vhdstream.topology.support.TestBroker;
import io.vhdstream.topology.support.TopologySettings;
import io.vhdstream.topology.support.Verify;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The application in a child JVM, killed with SIGKILL (no close, no commit, no group leave) at random
 * points of processing a 64 MiB workload while it streams in, and restarted, seven times; then run to the end. The
 * layers must end byte-identical to the model, every layer must check clean, and each snapshot must have
 * been announced exactly once (read_committed).
 */
class KillRestartIT {
    static final long MIB = 1 << 20;
    static final int PARTITIONS = 2;
    static final int MIN_KILLS = 5;
    /** Kill rounds, each streaming a new chunk of the workload; the final run gets the rest. */
    static final int ROUNDS = 7;
    /** Commands per chunk (~1050 in all). */
    static final int CHUNK = 130;

    @TempDir
    Path work;

    @Test
    void killedAndRestartedRunsEndIdenticalToTheModel() throws Exception {
        TestBroker broker = SharedBroker.get();
        Properties p = TopologySettings.withTopics(broker, "kill", "kill-restart-it", work, PARTITIONS);
        String cmds = TopologySettings.commands(p);
        Scenario sc = new Scenario();
        for (String id : Scenario.diskIdsOnePerPartition("kd", PARTITIONS)) {
            sc.add(new WorkloadSpec(id, 16 * MIB, 1 << 20, 32 * MIB, 64 * 1024, 0.6, 0.05, 4 * MIB, 4, 7L * id.hashCode(), "s"));
        }
        Path layers = TopologySettings.layers(p);
        // static membership: a restarted instance takes over its predecessor's assignment at once
        p.put("consumer.group.instance.id", "kill-restart-it-instance");
        p.put("consumer.session.timeout.ms", "10000");
        p.put(TopologyConfig.CHECKPOINT_INTERVAL_MS_CONFIG, "700");
        // Commit often (exactly-once's own default rather than ours of 1 s): a run lives about a second before
        // it is killed, and the test wants kills that land after the run committed some of its input.
        p.put("commit.interval.ms", "100");
        Path props = ChildApp.write(p, work.resolve("topology.properties"));
        Path log = Path.of(System.getProperty("java.io.tmpdir"), "kill-restart-it-child.log");
        Files.deleteIfExists(log);

        // Each run gets a chunk of the workload streamed in (about 10 ms per command) once it is RUNNING, and
        // is killed at a random command of the chunk: while it is processing, with more input still coming.
        Random random = new Random(20261123);
        List<String> kills = new ArrayList<>();
        int pendingKills = 0;
        Iterator<DiskCommand> commands = sc.commands();
        try (WorkloadProducer producer = WorkloadProducer.connect(broker.bootstrapServers(), cmds, Map.of())) {
            for (int k = 1; k <= ROUNDS; k++) {
                long chunkEnd = (long) k * CHUNK;
                long killAt = producer.sent() + CHUNK * 2 / 5 + random.nextInt(CHUNK / 2);
                try (ChildApp app = ChildApp.start(props, log)) {
                    app.awaitRunning(Duration.ofSeconds(90));
                    Map<TopicPartition, Long> atStart = broker.committedOffsets("kill-restart-it");
                    while (commands.hasNext() && producer.sent() < chunkEnd) {
                        producer.send(commands.next());
                        if (producer.sent() == killAt) {
                            producer.flush();
                            // On a loaded machine a restarted run can take longer than its chunk to commit: wait
                            // (bounded) for its first commit so the kill lands mid-processing after progress.
                            long commitDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                            while (broker.committedOffsets("kill-restart-it").equals(atStart)
                                    && System.nanoTime() < commitDeadline) {
                                Thread.sleep(20);
                            }
                            Thread.sleep(random.nextInt(100));
                            app.kill();
                            Map<TopicPartition, Long> committed = broker.committedOffsets("kill-restart-it");
                            boolean progressed = !committed.equals(atStart);
                            pendingKills += progressed ? 1 : 0;
                            kills.add(String.format("kill %d after command %d: committed %s at the run's start, %s at the"
                                    + " kill%s", k, killAt, atStart, committed, progressed ? "" : " (no commit yet)"));
                        }
                        Thread.sleep(10);
                    }
                    producer.flush();
                }
            }
            while (commands.hasNext()) {
                producer.send(commands.next());
            }
            producer.flush();
            assertTrue(producer.dataBytes() >= 64 * MIB, "at least 64 MiB of writes");
        }
        kills.forEach(x -> System.out.println("KillRestartIT " + x));
        assertTrue(pendingKills >= MIN_KILLS, "at least " + MIN_KILLS + " kills after the run had committed some of"
                + " its input: " + kills);

        // A last run to the end, then a clean stop.
        long expected = sc.totalSnapshots();
        try (ChildApp app = ChildApp.start(props, log);
             LayerEvents out = TopologySettings.events(p, PARTITIONS)) {
            app.awaitRunning(Duration.ofSeconds(90));
            out.awaitLayers(es -> LayerEvents.sealedCount(es) >= expected, Duration.ofMinutes(3));
            StoreRebuildIT.awaitCommitted(broker, "kill-restart-it", cmds);
            int exit = app.stop();
            assertTrue(exit == 143 || exit == 0, "exit code " + exit);
            assertEquals("NOT_RUNNING", app.states().get(app.states().size() - 1), "closed cleanly: " + app.states());
            List<LayerEvent> events = out.awaitLayers(es -> false, Duration.ofSeconds(2));
            assertEquals(expected, LayerEvents.sealedCount(events), "each snapshot announced exactly once");
            assertTrue(out.drainDeadLetters(Duration.ofMillis(500)).isEmpty(), "no dead letters");
            Verify.layersMatchModels(layers, sc, events);
        }
        // every layer file, active ones included, checks clean
        try (Stream<Path> s = Files.walk(layers)) {
            for (Path f : (Iterable<Path>) s.filter(x -> x.toString().endsWith(".vhd"))::iterator) {
                Layers.assertClean(f);
            }
        }
    }
}
