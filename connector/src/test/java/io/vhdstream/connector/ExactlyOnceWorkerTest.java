package io.vhdstream.connector;

import io.vhdstream.connector.offset.LayerOffset;
import io.vhdstream.connector.source.KillSwitch;
import io.vhdstream.connector.source.VhdSourceConnectorConfig;
import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.EndOfLayer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffsets;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exactly-once delivery on a distributed worker: the source task is killed in the middle of a layer and
 * restarted; a read_committed consumer sees every record of every layer exactly once, in order, and the
 * replica built from it equals the source.
 */
class ExactlyOnceWorkerTest {
    private static final long TIMEOUT = 90_000;
    private static EmbeddedConnectCluster connect;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        Map<String, String> worker = ConnectTestSupport.workerProps();
        worker.put("exactly.once.source.support", "enabled");
        connect = new EmbeddedConnectCluster.Builder()
                .name("vhd-eos")
                .numWorkers(1)
                .numBrokers(1)
                .brokerProps(ConnectTestSupport.brokerProps())
                .workerProps(worker)
                .build();
        connect.start();
    }

    @AfterAll
    static void stop() {
        if (connect != null) {
            connect.stop();
        }
    }

    @Test
    void aTaskKilledInTheMiddleOfALayerNeitherLosesNorRepeatsARecord() throws Exception {
        List<Path> chain = TestChains.engineChain(tmp.resolve("root/vm"), "e", 64 * TestChains.MIB, 2 * TestChains.MIB, 2, 31);
        String disk = ConnectTestSupport.uniqueId(chain.get(0)).toString();
        java.nio.file.Files.write(tmp.resolve("root/junk.vhd"), new byte[4096]); // an error record, in its own transaction
        connect.kafka().createTopic("blocks-eos", 1);
        connect.kafka().createTopic("errors-eos", 1);
        Map<String, String> src = ConnectTestSupport.source(tmp.resolve("root"), "blocks-eos", "errors-eos", true);
        src.put(VhdSourceConnectorConfig.CHUNK_SIZE_CONFIG, "16384");
        src.put(VhdSourceConnectorConfig.POLL_MAX_BYTES_CONFIG, "65536");
        src.put(VhdSourceConnectorConfig.COMMIT_MAX_BYTES_CONFIG, "262144"); // the crash falls after commits inside the layer
        src.put("exactly.once.support", "required");
        src.put("transaction.boundary", "connector");
        Path replica = tmp.resolve("replica");
        src.put("connector.class", io.vhdstream.connector.source.CrashingSourceConnector.class.getName());
        try (KillSwitch kill = new KillSwitch("src-eos", 60, 300)) {
            connect.configureConnector("src-eos", src);
            ConnectTestSupport.waitFor("the simulated crash", TIMEOUT, kill::fired);
            connect.assertions().assertConnectorIsRunningAndTasksHaveFailed("src-eos", 1, "the task died");
            connect.restartTask("src-eos", 0);
            Map<String, String> sink = ConnectTestSupport.sink(replica, "blocks-eos", true);
            sink.put("consumer.override.isolation.level", "read_committed");
            connect.configureConnector("sink-eos", sink);
            ConnectTestSupport.waitFor("both sealed layers in the replica", TIMEOUT,
                    () -> ConnectTestSupport.sealedCount(replica, disk) == 2);
        }

        List<ConsumerRecord<byte[], byte[]>> committed = ConnectTestSupport.readAll(connect.kafka(), "blocks-eos", true);
        List<ConsumerRecord<byte[], byte[]>> everything = ConnectTestSupport.readAll(connect.kafka(), "blocks-eos", false);
        assertTrue(everything.size() > committed.size(), "the crash left an aborted transaction behind ("
                + everything.size() + " records written, " + committed.size() + " committed)");

        List<BlockEvent> events = ConnectTestSupport.decode(committed);
        List<UUID> layers = ConnectTestSupport.assertExactlyOnce(events);
        assertTrue(events.stream().filter(e -> e.getPayload() instanceof EndOfLayer).allMatch(e -> ((EndOfLayer) e.getPayload())
                .getExtentCount() > 60), "layers long enough to be cut in the middle");
        assertEquals(2, layers.size());
        assertEquals(-1, TestChains.compareExports(chain.get(1), ConnectTestSupport.replicaTop(replica, disk), tmp));

        List<BlockEvent> errors = ConnectTestSupport.decode(ConnectTestSupport.readAll(connect.kafka(), "errors-eos", true));
        assertEquals(1, errors.size(), "the broken file is reported once, committed");
        assertEquals("junk.vhd", ((io.vhdstream.schemas.block.SourceError) errors.get(0).getPayload()).getPath());
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("src-eos", 1, "still running");

        // The stored offset, through GET /connectors/src-eos/offsets: the disk's last layer, complete.
        ConnectorOffsets offsets = connect.connectorOffsets("src-eos");
        List<ConnectorOffset> mine = offsets.offsets().stream()
                .filter(o -> disk.equals(o.partition().get(LayerOffset.PARTITION_DISK))).toList();
        assertEquals(1, mine.size(), offsets.offsets().toString());
        LayerOffset o = LayerOffset.fromMap(mine.get(0).offset());
        assertEquals(ConnectTestSupport.uniqueId(chain.get(1)), o.layer());
        assertTrue(o.complete());
        connect.deleteConnector("src-eos");
        connect.deleteConnector("sink-eos");
    }
}
