package io.vhdstream.schemas.serde;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.SchemaStore;

/** How a release that ships an older schema decodes what the current serde writes. */
final class OldReleases {
    private OldReleases() {
    }

    /** As this repository's serde does in that release: refuse unknown named types (BodyCheck), then resolve. */
    static GenericRecord read(Schema writer, Schema old, byte[] bytes) throws Exception {
        new BodyCheck(writer, old).check(bytes, SingleObjectHeader.LENGTH, bytes.length - SingleObjectHeader.LENGTH);
        SchemaStore.Cache store = new SchemaStore.Cache();
        store.addSchema(writer);
        return new BinaryMessageDecoder<GenericRecord>(GenericData.get(), old, store).decode(bytes);
    }
}
