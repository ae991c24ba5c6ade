package io.vhdstream.cli.util;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonWriterTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void nestsWithCommasInTheRightPlaces() {
        String json = new JsonWriter().beginObject()
                .field("a", 1).name("b").beginArray().value(1).value("x").beginObject().endObject().beginArray().endArray()
                .nullValue().value(true).endArray()
                .name("c").beginObject().field("d", false).field("e", (String) null).endObject()
                .endObject().toString();
        assertEquals("{\"a\":1,\"b\":[1,\"x\",{},[],null,true],\"c\":{\"d\":false,\"e\":null}}", json);
    }

    @Test
    void escapesPerRfc8259() throws Exception {
        assertEquals("\"q\\\"b\\\\s/\"", JsonWriter.quote("q\"b\\s/"));
        assertEquals("\"\\n\\r\\t\\b\\f\\u0000\\u001b\\u007f\"", JsonWriter.quote("\n\r\t\b\f\0\u001b\u007f"));
        assertEquals("\"C:\\\\dir\\\\f.vhd\"", JsonWriter.quote("C:\\dir\\f.vhd"));
        String tricky = "é ü 中 \uD83D\uDE00 \u2028";
        JsonNode n = MAPPER.readTree(new JsonWriter().beginObject().field("s", tricky).endObject().toString());
        assertEquals(tricky, n.get("s").asText());
    }

    @Test
    void loneSurrogatesBecomeEscapes() throws Exception {
        String s = "a\uD800b\uDC00c\uDBFF";
        String q = JsonWriter.quote(s);
        assertEquals("\"a\\ud800b\\udc00c\\udbff\"", q);
        MAPPER.readTree(q); // still valid JSON
        assertEquals("\"\uD83D\uDE00\"", JsonWriter.quote("\uD83D\uDE00"));
    }
}
