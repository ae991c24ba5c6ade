package io.vhdstream.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vhdstream.schemas.layer.LayerEvent;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * LayerEvent v2 added LayerMerged (retention). A reader of the released v1 schema, decoding as this
 * repository's serde does (BodyCheck, then Avro resolution), must keep reading the v1 event types a v2
 * writer sends, and must refuse a LayerMerged as undecodable rather than read it as another event (a
 * DiskDeleted look-alike would make a consumer drop a live disk).
 */
class LayerEventEvolutionTest {

    private static Schema version(int v) {
        List<Schema> versions = SchemaHistory.versions(LayerEvent.getClassSchema());
        return versions.get(v - 1);
    }

    /** What a v1 release does with the bytes: refuse unknown branches, then resolve to its schema. */
    private static GenericRecord readAsV1(byte[] bytes) throws Exception {
        return OldReleases.read(LayerEvent.getClassSchema(), version(1), bytes);
    }

    @Test
    void v2IsTheCurrentSchemaAndDiffersFromV1() {
        assertEquals(2, SchemaHistory.versions(LayerEvent.getClassSchema()).size());
        assertTrue(version(1).getField("payload").schema().getTypes().stream().noneMatch(t -> t.getName().equals("LayerMerged")));
    }

    @Test
    void aV1ReaderReadsTheOldEventTypesFromAV2Writer() throws Exception {
        AvroSerde<LayerEvent> serde = AvroSerdes.layerEvent();
        for (LayerEvent e : Fixtures.layerEvents()) {
            if (e.getPayload() instanceof io.vhdstream.schemas.layer.LayerMerged) {
                continue;
            }
            GenericRecord read = readAsV1(serde.serialize("layers", e));
            GenericRecord payload = (GenericRecord) read.get("payload");
            assertEquals(e.getPayload().getClass().getSimpleName(), payload.getSchema().getName());
            assertEquals(((org.apache.avro.specific.SpecificRecord) e.getPayload()).get(0).toString(),
                    payload.get("diskId").toString());
        }
    }

    @Test
    void aV1ReaderRefusesALayerMergedAsUndecodable() {
        byte[] bytes = AvroSerdes.layerEvent().serialize("layers", Fixtures.layerMerged());
        BodyCheck.Refused e = assertThrows(BodyCheck.Refused.class, () -> readAsV1(bytes));
        assertTrue(e.getMessage().contains("LayerMerged"), e::getMessage);
    }

    @Test
    void theCurrentReaderReadsLayerMerged() {
        AvroSerde<LayerEvent> serde = AvroSerdes.layerEvent();
        LayerEvent merged = Fixtures.layerMerged();
        assertEquals(merged, serde.deserialize("layers", serde.serialize("layers", merged)));
    }
}
