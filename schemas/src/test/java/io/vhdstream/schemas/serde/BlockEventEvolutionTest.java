package io.vhdstream.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.DiskDeleted;
import io.vhdstream.schemas.block.Resync;
import io.vhdstream.schemas.block.StartOfLayer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * BlockEvent v4 added StartOfLayer.resync (a base sent as a full resync). A reader of the released v3 schema,
 * decoding as this repository's serde does, reads every StartOfLayer without it as before and refuses a resync base
 * as undecodable; the current reader reads the field back. v5 added DiskDeleted, which a v4 reader refuses alone.
 */
class BlockEventEvolutionTest {

    private static Schema version(int v) {
        return SchemaHistory.versions(BlockEvent.getClassSchema()).get(v - 1);
    }

    @Test
    void v5IsTheCurrentSchemaAndV3HasNoResync() {
        assertEquals(5, SchemaHistory.versions(BlockEvent.getClassSchema()).size());
        Schema start = version(3).getField("payload").schema().getTypes().get(0);
        assertEquals("StartOfLayer", start.getName());
        assertNull(start.getField("resync"));
    }

    /** What a v3 release does with the bytes: refuse unknown named types, then resolve to its schema. */
    private static GenericRecord readAsV3(byte[] bytes) throws Exception {
        return OldReleases.read(BlockEvent.getClassSchema(), version(3), bytes);
    }

    @Test
    void aV3ReaderReadsAStartOfLayerWithoutResyncAsBefore() throws Exception {
        BlockEvent plain = new BlockEvent(new StartOfLayer("disk-01", Fixtures.BASE, null, 0, "base.vhd", 1L << 30,
                2 << 20, "s7", null));
        GenericRecord payload = (GenericRecord) readAsV3(AvroSerdes.blockEvent().serialize("blocks", plain)).get("payload");
        assertEquals("StartOfLayer", payload.getSchema().getName());
        assertEquals(List.of("disk-01", 0, "s7"), List.of(payload.get("diskId").toString(), payload.get("layerIndex"),
                payload.get("snapshotId").toString()));
    }

    @Test
    void aV4ReaderRefusesADiskDeletedAndReadsTheRestAsBefore() throws Exception {
        BlockEvent deleted = new BlockEvent(new DiskDeleted("disk-01", 990L, "decommissioned"));
        byte[] bytes = AvroSerdes.blockEvent().serialize("blocks", deleted);
        BodyCheck.Refused e = assertThrows(BodyCheck.Refused.class,
                () -> OldReleases.read(BlockEvent.getClassSchema(), version(4), bytes));
        assertTrue(e.getMessage().contains("DiskDeleted"), e::getMessage);
        assertEquals(deleted, AvroSerdes.blockEvent().deserialize("blocks", bytes));
        BlockEvent plain = new BlockEvent(new StartOfLayer("disk-01", Fixtures.BASE, null, 0, "base.vhd", 1L << 30,
                2 << 20, "s7", null));
        GenericRecord payload = (GenericRecord) OldReleases.read(BlockEvent.getClassSchema(), version(4),
                AvroSerdes.blockEvent().serialize("blocks", plain)).get("payload");
        assertEquals("StartOfLayer", payload.getSchema().getName());
    }

    @Test
    void aV3ReaderRefusesAResyncBaseAsUndecodable() throws Exception {
        // Applied as the base a v3 sink holds already, a resync base would be ignored and the next layers built on a stale base.
        BlockEvent resync = new BlockEvent(new StartOfLayer("disk-01", Fixtures.BASE, null, 0, "base.vhd", 1L << 30,
                2 << 20, "s7", new Resync(6, 2, "the feed stopped at layer 1")));
        byte[] bytes = AvroSerdes.blockEvent().serialize("blocks", resync);
        BodyCheck.Refused e = assertThrows(BodyCheck.Refused.class, () -> readAsV3(bytes));
        assertTrue(e.getMessage().contains("Resync"), e::getMessage);
        BlockEvent back = AvroSerdes.blockEvent().deserialize("blocks", bytes);
        assertEquals(resync, back);
        assertEquals(6, ((StartOfLayer) back.getPayload()).getResync().getLevel());
    }
}
