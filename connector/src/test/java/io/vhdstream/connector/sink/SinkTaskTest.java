package io.vhdstream.connector.sink;

import io.vhdstream.connector.FakeContexts;
import io.vhdstream.connector.TestChains;
import io.vhdstream.connector.convert.RecordFormat;
import io.vhdstream.connector.source.SourceHarness;
import io.vhdstream.connector.source.VhdSourceConnectorConfig;
import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.StartOfLayer;
import io.vhdstream.schemas.common.Uuids;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sink task with hostile records: each goes to the errant record reporter, and the other disks go on. */
class SinkTaskTest {
    @TempDir
    Path tmp;

    @Test
    void hostileRecordsAreReportedAndTheRestIsReplicated() throws Exception {
        Path root = tmp.resolve("src");
        List<Path> chain = TestChains.engineChain(root.resolve("d"), "x", 8 * TestChains.MIB, TestChains.MIB, 1, 7);
        List<SourceRecord> good = SourceHarness.emitAll(Map.of(VhdSourceConnectorConfig.ROOTS_CONFIG, root.toString(),
                VhdSourceConnectorConfig.RECORD_FORMAT_CONFIG, "avro"));
        List<BlockEvent> hostile = List.of(
                start("d".repeat(5000), 1 << 20), // too long to name a directory
                start("%".repeat(100), 1 << 20), // short, but its encoded name is too long
                start("ok-disk", -512), // a negative size
                start("ok-disk", 1000)); // not whole sectors
        List<SinkRecord> batch = new ArrayList<>();
        long off = 0;
        for (BlockEvent e : hostile) {
            batch.add(new SinkRecord("t", 0, Schema.STRING_SCHEMA, "k", Schema.BYTES_SCHEMA, RecordFormat.AVRO.value(e), off++));
        }
        for (SourceRecord r : good) {
            if (r.topic().equals(VhdSourceConnectorConfig.TOPIC_DEFAULT)) {
                batch.add(new SinkRecord("t", 0, Schema.STRING_SCHEMA, "k", Schema.BYTES_SCHEMA, r.value(), off++));
            }
        }
        Path replica = tmp.resolve("replica");
        Map<String, String> props = Map.of(VhdReplicaSinkConnectorConfig.REPLICA_DIR_CONFIG, replica.toString(), "topics", "t");
        FakeContexts.Sink ctx = new FakeContexts.Sink(props);
        VhdReplicaSinkTask task = new VhdReplicaSinkTask();
        task.initialize(ctx);
        task.start(props);
        try {
            task.put(batch);
            task.preCommit(Map.of());
        } finally {
            task.stop();
        }
        assertEquals(hostile.size(), ctx.reported.size());
        for (int i = 0; i < hostile.size(); i++) {
            assertEquals(i, ctx.reported.get(i).getKey().kafkaOffset());
            assertInstanceOf(DataException.class, ctx.reported.get(i).getValue());
        }
        assertTrue(ctx.reported.get(0).getValue().getMessage().contains("disk id"), ctx.reported.get(0).getValue().getMessage());
        try (ReplicaStore s = new ReplicaStore(replica, 4)) {
            List<Path> sealed = s.sealedLayers(io.vhdstream.connector.ConnectTestSupport.uniqueId(chain.get(0)).toString());
            assertEquals(1, sealed.size());
            assertEquals(-1, TestChains.compareExports(chain.get(0), sealed.get(0), tmp));
        }
    }

    private static BlockEvent start(String disk, long size) {
        return new BlockEvent(new StartOfLayer(disk, Uuids.of(UUID.randomUUID()), null, 0, "x.vhd", size, 1 << 21, null, null));
    }
}
