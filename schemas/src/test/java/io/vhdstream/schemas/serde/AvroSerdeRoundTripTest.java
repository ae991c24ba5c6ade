package io.vhdstream.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vhdstream.schemas.Limits;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Write;
import io.vhdstream.schemas.common.Sha256;
import io.vhdstream.schemas.common.Uuids;
import io.vhdstream.schemas.layer.LayerEvent;
import io.vhdstream.schemas.layer.LayerSealed;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import org.apache.avro.SchemaNormalization;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

class AvroSerdeRoundTripTest {

    @Test
    void everyFixtureRoundTripsInSingleObjectEncoding() {
        Set<Class<?>> payloadTypes = new HashSet<>();
        for (Fixtures.Case c : Fixtures.all()) {
            byte[] bytes = c.encode();
            // Single-object header: marker C3 01, then the CRC-64-AVRO fingerprint little-endian.
            assertEquals((byte) 0xC3, bytes[0]);
            assertEquals((byte) 0x01, bytes[1]);
            long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(SchemaNormalization.parsingFingerprint64(c.serde().schema()), fingerprint);

            Object back = c.serde().deserialize("t", bytes);
            assertEquals(c.record(), back, () -> "round trip of " + c.record());
            assertNotSame(c.record(), back);
            // Encoding must not consume the record's ByteBuffers: a second encoding is identical.
            assertArrayEquals(bytes, c.encode());
            org.apache.avro.Schema.Field payload = c.record().getSchema().getField("payload");
            payloadTypes.add(payload == null ? c.record().getClass() : c.record().get(payload.pos()).getClass());
        }
        // DiskCommand 5 + LayerEvent 3 + BlockEvent 6 payload types (no fixture of LayersMerged), plus DeadLetter.
        assertEquals(15, payloadTypes.size(), payloadTypes::toString);
    }

    @Test
    void maxSizeWriteRoundTripsAndStaysUnderKafkaDefaultRecordLimit() {
        DiskCommand max = Fixtures.maxWrite();
        AvroSerde<DiskCommand> serde = AvroSerdes.diskCommand();
        byte[] bytes = serde.serialize("t", max);
        assertTrue(bytes.length < Limits.MAX_WRITE_BYTES + 64, "encoded size " + bytes.length);
        assertTrue(bytes.length < 1024 * 1024);
        DiskCommand back = serde.deserialize("t", bytes);
        Write w = assertInstanceOf(Write.class, back.getPayload());
        byte[] data = new byte[w.getData().remaining()];
        w.getData().duplicate().get(data);
        assertArrayEquals(Fixtures.pattern(Limits.MAX_WRITE_BYTES, 1), data);
        assertEquals(max, back);
    }

    @Test
    void nullIsATombstoneBothWays() {
        AvroSerde<LayerEvent> serde = AvroSerdes.layerEvent();
        assertNull(serde.serialize("t", null));
        assertNull(serde.deserialize("t", null));
    }

    @Test
    void namedSerdesWorkThroughKafkaInterfaces() throws Exception {
        // As Kafka would: instantiate by class name, configure, use, close.
        @SuppressWarnings("unchecked")
        Serializer<LayerEvent> ser = (Serializer<LayerEvent>) Class.forName(LayerEventSerde.class.getName())
                .getConstructor().newInstance();
        @SuppressWarnings("unchecked")
        Deserializer<LayerEvent> de = (Deserializer<LayerEvent>) Class.forName(LayerEventSerde.class.getName())
                .getConstructor().newInstance();
        ser.configure(java.util.Map.of(), false);
        de.configure(java.util.Map.of(), false);
        LayerEvent e = Fixtures.layerEvents().get(1);
        assertEquals(e, de.deserialize("t", ser.serialize("t", e)));
        LayerSealed sealed = (LayerSealed) e.getPayload();
        assertEquals(Fixtures.BASE, sealed.getParentUniqueId());
        assertEquals("00112233-4455-6677-8899-aabbccddeeff", Uuids.toUuid(sealed.getParentUniqueId()).toString());
        ser.close();
        de.close();
    }

    @Test
    void recordThatBreaksItsSchemaFailsAsSerializationException() {
        AvroSerde<DiskCommand> serde = AvroSerdes.diskCommand();
        DiskCommand missingDiskId = Fixtures.commands().get(0);
        missingDiskId.setDiskId(null);
        assertThrows(SerializationException.class, () -> serde.serialize("t", missingDiskId));

        DiskCommand wrongPayload = Fixtures.commands().get(0);
        wrongPayload.setPayload("not a command");
        assertThrows(SerializationException.class, () -> serde.serialize("t", wrongPayload));
    }

    @Test
    void fixedOfWrongLengthIsRefusedNotTruncated() {
        AvroSerde<LayerEvent> serde = AvroSerdes.layerEvent();
        for (int length : new int[] {31, 33}) {
            LayerEvent e = Fixtures.layerEvents().get(0);
            ((LayerSealed) e.getPayload()).setContentSha256(new Sha256(new byte[length]));
            assertThrows(SerializationException.class, () -> serde.serialize("t", e), "length " + length);
        }
    }
}
