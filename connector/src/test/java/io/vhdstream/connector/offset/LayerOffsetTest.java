package io.vhdstream.connector.offset;

import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LayerOffsetTest {
    @Test
    void roundTripsThroughTheWorkersSchemalessJson() {
        LayerOffset o = LayerOffset.started(UUID.randomUUID(), 3, 524288).after(1 << 20).after(3 << 20);
        assertEquals(2, o.nextExtent());
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "false"), false);
        SchemaAndValue back = json.toConnectData("t", json.fromConnectData("t", null, o.toMap()));
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) back.value();
        assertEquals(o, LayerOffset.fromMap(m));
        assertEquals(o.completed(), LayerOffset.fromMap(o.completed().toMap()));
        assertNull(LayerOffset.fromMap(null));
    }

    @Test
    void integersOfAnyWidthAreRead() {
        Map<String, Object> m = new HashMap<>(LayerOffset.started(UUID.randomUUID(), 1, 4096).toMap());
        m.put(LayerOffset.NEXT, 4096);
        m.put(LayerOffset.INDEX, 1L);
        assertEquals(4096, LayerOffset.fromMap(m).nextOffset());
    }

    @Test
    void malformedOffsetsAreRefusedWithTheReason() {
        Map<String, Object> good = LayerOffset.started(UUID.randomUUID(), 1, 4096).toMap();
        for (String key : good.keySet()) {
            Map<String, Object> m = new HashMap<>(good);
            m.remove(key);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LayerOffset.fromMap(m));
            assertEquals(true, e.getMessage().contains(key), e.getMessage());
        }
        Map<String, Object> m = new HashMap<>(good);
        m.put(LayerOffset.LAYER, "not-a-uuid");
        assertThrows(IllegalArgumentException.class, () -> LayerOffset.fromMap(m));
        m.put(LayerOffset.LAYER, UUID.randomUUID().toString());
        m.put(LayerOffset.NEXT, -1L);
        assertThrows(IllegalArgumentException.class, () -> LayerOffset.fromMap(m));
        m.put(LayerOffset.NEXT, "12");
        assertThrows(IllegalArgumentException.class, () -> LayerOffset.fromMap(m));
    }

    @Test
    void partitions() {
        assertEquals("vm-1", LayerOffset.diskIdOf(LayerOffset.partition("vm-1")));
        assertThrows(IllegalArgumentException.class, () -> LayerOffset.diskIdOf(Map.of("file", "x")));
        assertThrows(IllegalArgumentException.class, () -> LayerOffset.diskIdOf(Map.of("disk", "")));
    }
}
