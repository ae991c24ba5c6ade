package io.vhdstream.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaFormatter;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/**
 * Guards the published wire forms: the last recorded version of each top-level schema is the
 * current one, the current reader reads every recorded version, and every type and field is
 * documented.
 */
class SchemaHistoryTest {

    private static final List<AvroSerde<?>> SERDES = List.of(AvroSerdes.diskCommand(), AvroSerdes.layerEvent(),
            AvroSerdes.blockEvent(), AvroSerdes.deadLetter(), AvroSerdes.checkpoint());

    @Test
    void latestRecordedVersionIsTheCurrentSchema() {
        for (AvroSerde<?> serde : SERDES) {
            Schema current = serde.schema();
            List<Schema> versions = SchemaHistory.versions(current);
            assertFalse(versions.isEmpty(), "no history for " + current.getFullName());
            Schema latest = versions.get(versions.size() - 1);
            assertEquals(SchemaNormalization.parsingFingerprint64(current),
                    SchemaNormalization.parsingFingerprint64(latest),
                    () -> "The wire form of " + current.getFullName() + " changed. If that is intended, add"
                            + " src/main/resources" + SchemaHistory.resource(current, versions.size() + 1)
                            + " (and if v" + versions.size() + " was never released, replace it instead) with:\n"
                            + SchemaFormatter.format("json/pretty", current));
        }
    }

    @Test
    void currentReaderReadsEveryRecordedVersion() {
        for (AvroSerde<?> serde : SERDES) {
            for (Schema old : SchemaHistory.versions(serde.schema())) {
                SchemaCompatibility.SchemaPairCompatibility result =
                        SchemaCompatibility.checkReaderWriterCompatibility(serde.schema(), old);
                assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE, result.getType(),
                        result::getDescription);
            }
        }
    }

    @Test
    void everyTypeAndFieldIsDocumented() {
        List<String> missing = new ArrayList<>();
        Set<Schema> seen = new HashSet<>();
        for (AvroSerde<?> serde : SERDES) {
            collectUndocumented(serde.schema(), seen, missing);
        }
        assertTrue(seen.size() > 20, "walked only " + seen.size() + " schemas");
        assertTrue(missing.isEmpty(), () -> "missing doc: " + missing);
    }

    private static void collectUndocumented(Schema s, Set<Schema> seen, List<String> missing) {
        if (!seen.add(s)) {
            return;
        }
        switch (s.getType()) {
            case RECORD -> {
                if (isBlank(s.getDoc())) {
                    missing.add(s.getFullName());
                }
                for (Schema.Field f : s.getFields()) {
                    if (isBlank(f.doc())) {
                        missing.add(s.getFullName() + "." + f.name());
                    }
                    collectUndocumented(f.schema(), seen, missing);
                }
            }
            case FIXED, ENUM -> {
                if (isBlank(s.getDoc())) {
                    missing.add(s.getFullName());
                }
            }
            case UNION -> s.getTypes().forEach(t -> collectUndocumented(t, seen, missing));
            case ARRAY -> collectUndocumented(s.getElementType(), seen, missing);
            case MAP -> collectUndocumented(s.getValueType(), seen, missing);
            default -> {
            }
        }
    }

    private static boolean isBlank(String doc) {
        return doc == null || doc.isBlank();
    }
}
