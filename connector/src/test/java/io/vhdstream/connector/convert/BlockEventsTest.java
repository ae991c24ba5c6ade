package io.vhdstream.connector.convert;

import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.ChangedBlock;
import io.vhdstream.schemas.block.EndOfLayer;
import io.vhdstream.schemas.block.SourceError;
import io.vhdstream.schemas.block.StartOfLayer;
import io.vhdstream.schemas.block.ZeroExtent;
import io.vhdstream.schemas.common.Sha256s;
import io.vhdstream.schemas.common.Uuids;
import io.vhdstream.schemas.serde.AvroSerdes;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlockEventsTest {
    private static final Random R = new Random(17);

    static List<BlockEvent> samples() {
        UUID layer = UUID.randomUUID();
        UUID parent = UUID.randomUUID();
        byte[] data = new byte[4096];
        R.nextBytes(data);
        byte[] sha = new byte[32];
        R.nextBytes(sha);
        return List.of(
                new BlockEvent(new StartOfLayer("d1", Uuids.of(layer), null, 0, "base.vhd", 1L << 30, 2 << 20, "s1", null)),
                new BlockEvent(new StartOfLayer("d1", Uuids.of(layer), Uuids.of(parent), 3, "0003-x.vhd", 1L << 30, 2 << 20, null, null)),
                new BlockEvent(new ChangedBlock("vm 7/α", Uuids.of(layer), Uuids.of(parent), 3, 12L, 1L << 40, 4096L,
                        ByteBuffer.wrap(data), Sha256s.of(sha))),
                new BlockEvent(new ChangedBlock("d1", Uuids.of(layer), null, 0, 0L, 0L, 4096L, ByteBuffer.wrap(data), Sha256s.of(sha))),
                new BlockEvent(new ZeroExtent("d1", Uuids.of(layer), null, 0, 5L, 512L, 64L << 20)),
                new BlockEvent(new EndOfLayer("d1", Uuids.of(layer), Uuids.of(parent), 2, "0002-y.vhd", 1L << 30, 77L, 1234L << 9,
                        Sha256s.of(sha), Sha256s.of(sha))),
                new BlockEvent(new SourceError(null, "sr/abc.vhd", "CORRUPT_IMAGE", "bad footer")),
                new BlockEvent(new SourceError("d1", "x.vhd", "MISSING_PARENT", "no parent")));
    }

    @Test
    void theConnectSchemaMirrorsEveryAvroField() {
        Schema v = BlockEvents.VALUE_SCHEMA;
        assertEquals("io.vhdstream.schemas.block.BlockEvent", v.name());
        Schema union = v.field("payload").schema();
        org.apache.avro.Schema avroUnion = BlockEvent.getClassSchema().getField("payload").schema();
        assertEquals(avroUnion.getTypes().size(), union.fields().size());
        for (org.apache.avro.Schema branch : avroUnion.getTypes()) {
            Field f = union.field(branch.getName());
            assertNotNull(f, branch.getName());
            assertTrue(f.schema().isOptional());
            assertEquals(branch.getFullName(), f.schema().name());
            assertEquals(branch.getFields().size(), f.schema().fields().size(), branch.getName());
            for (org.apache.avro.Schema.Field af : branch.getFields()) {
                Field cf = f.schema().field(af.name());
                assertNotNull(cf, branch.getName() + "." + af.name());
                boolean nullable = af.schema().getType() == org.apache.avro.Schema.Type.UNION;
                assertEquals(nullable, cf.schema().isOptional(), branch.getName() + "." + af.name());
                assertEquals(af.doc(), cf.schema().doc(), "the field doc travels with the schema");
            }
        }
        Schema sha = union.field("ChangedBlock").schema().field("sha256").schema();
        assertEquals(Schema.Type.BYTES, sha.type());
        assertEquals("32", sha.parameters().get(AvroConnect.FIXED_SIZE_PARAM));
    }

    @Test
    void structsRoundTripThroughJsonWithSchemas() {
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "true"), false);
        for (BlockEvent e : samples()) {
            Struct s = BlockEvents.toStruct(e);
            s.validate();
            byte[] wire = json.fromConnectData("t", BlockEvents.VALUE_SCHEMA, s);
            SchemaAndValue back = json.toConnectData("t", wire);
            assertEquals(e, BlockEvents.fromConnect(back.value()), e.getPayload().getClass().getSimpleName());
            assertEquals(e, BlockEvents.fromStruct(s));
        }
    }

    @Test
    void avroBytesAreTheSerdesBytes() {
        var serde = AvroSerdes.blockEvent();
        for (BlockEvent e : samples()) {
            byte[] ours = BlockEvents.encode(e);
            assertArrayEquals(serde.serialize("t", e), ours);
            assertEquals(e, BlockEvents.fromConnect(ours));
            assertEquals(e, BlockEvents.fromConnect(ByteBuffer.wrap(ours)));
        }
    }

    @Test
    void aFrameHoldsExactlyTheEncodedChangedBlock() {
        for (int i = 0; i < 300; i++) {
            UUID layer = UUID.randomUUID();
            UUID parent = R.nextBoolean() ? null : UUID.randomUUID();
            String disk = i % 3 == 0 ? "vm-" + i : "диск " + R.nextInt(1 << 20);
            int index = R.nextInt(i % 7 == 0 ? Integer.MAX_VALUE : 100);
            long extent = i % 5 == 0 ? R.nextLong() & Long.MAX_VALUE : R.nextInt(70);
            long offset = (R.nextLong() & 0x3FF_FFFF_FFFFL) << 9;
            int length = (1 + R.nextInt(i % 11 == 0 ? 2048 : 8)) * 512;
            ChangedBlockFrame.Frame f = new ChangedBlockFrame.Layer(disk, layer, parent, index).frame(extent, offset, length);
            assertEquals(length, f.dataLength());
            byte[] data = new byte[length];
            R.nextBytes(data);
            byte[] sha = new byte[32];
            R.nextBytes(sha);
            System.arraycopy(data, 0, f.array(), f.dataOffset(), length);
            f.putSha256(sha);
            BlockEvent e = new BlockEvent(new ChangedBlock(disk, Uuids.of(layer), parent == null ? null : Uuids.of(parent), index,
                    extent, offset, (long) length, ByteBuffer.wrap(data), Sha256s.of(sha)));
            assertArrayEquals(BlockEvents.encode(e), f.array(), "case " + i);
        }
    }

    @Test
    void valuesThatAreNotBlockEventsAreDataErrors() {
        assertThrows(DataException.class, () -> BlockEvents.fromConnect(Map.of("payload", "x")));
        assertThrows(DataException.class, () -> BlockEvents.fromConnect("text".getBytes(StandardCharsets.UTF_8)));
        assertThrows(DataException.class, () -> BlockEvents.fromConnect(42));
        Struct empty = new Struct(BlockEvents.VALUE_SCHEMA).put("payload", new Struct(BlockEvents.VALUE_SCHEMA.field("payload").schema()));
        DataException e = assertThrows(DataException.class, () -> BlockEvents.fromStruct(empty));
        assertTrue(e.getMessage().contains("no branch"), e.getMessage());
    }
}
