package io.vhdstream.cli.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonOutputTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    record Doc(String name, Long absent, List<Integer> values, Inner inner) {
    }

    record Inner(boolean ok) {
    }

    @Test
    void versionFirstThenFieldsInDeclarationOrderAndNullsLeftOut() {
        assertEquals("{\"version\":1,\"name\":\"n\",\"values\":[1,2],\"inner\":{\"ok\":true}}",
                JsonOutput.render(new Doc("n", null, List.of(1, 2), new Inner(true))));
    }

    @Test
    void aMapWorksTooAndCannotOverrideTheVersion() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", 99);
        m.put("disk", "d1");
        assertEquals("{\"version\":1,\"disk\":\"d1\"}", JsonOutput.render(m));
        assertThrows(IllegalArgumentException.class, () -> JsonOutput.render(List.of(1)));
    }

    @Test
    void outputIsAsciiAndKeepsEveryCharacter() throws Exception {
        String tricky = "q\"b\\s/ \n\t\0\u001b\u007f é 中 \uD83D\uDE00 \u2028 C:\\dir\\f.vhd";
        String json = JsonOutput.render(new Doc(tricky, null, List.of(), new Inner(false)));
        assertEquals(json.length(), json.codePoints().filter(c -> c >= 0x20 && c <= 0x7F).count(), json);
        JsonNode n = MAPPER.readTree(json);
        assertEquals(tricky, n.get("name").asText());
    }

    @Test
    void aLoneSurrogateSurvivesAsAnEscape() throws Exception {
        String json = JsonOutput.render(new Doc("a\uD800b", null, List.of(), new Inner(false)));
        assertEquals("{\"version\":1,\"name\":\"a\\uD800b\",\"values\":[],\"inner\":{\"ok\":false}}", json);
        assertEquals("a\uD800b", MAPPER.readTree(json).get("name").asText());
    }

    @Test
    void errorDocument() {
        java.io.StringWriter s = new java.io.StringWriter();
        JsonOutput.printError(new java.io.PrintWriter(s), "IO_ERROR", "no such file: x");
        assertEquals("{\"version\":1,\"error\":{\"code\":\"IO_ERROR\",\"message\":\"no such file: x\"}}"
                + System.lineSeparator(), s.toString());
    }
}
