package io.vhdstream.schemas.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Earlier published versions of a top-level schema, shipped as resources
 * {@code io/vhdstream/schemas/history/<full name>/v1.avsc}, {@code v2.avsc}, ... so that a reader
 * can resolve records written by older producers (single-object encoding names the writer schema
 * only by fingerprint). The last version always equals the current schema's wire form; a test
 * fails when a schema change is not recorded here. Changes that only touch docs keep the
 * fingerprint and need no new version.
 */
public final class SchemaHistory {

    static final String ROOT = "/io/vhdstream/schemas/history/";

    private SchemaHistory() {
    }

    /** All recorded versions of the schema named like {@code current}, oldest first. */
    public static List<Schema> versions(Schema current) {
        List<Schema> out = new ArrayList<>();
        for (int v = 1; ; v++) {
            String path = resource(current, v);
            try (InputStream in = SchemaHistory.class.getResourceAsStream(path)) {
                if (in == null) {
                    return out;
                }
                out.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read schema history " + path, e);
            }
        }
    }

    static String resource(Schema schema, int version) {
        return ROOT + schema.getFullName() + "/v" + version + ".avsc";
    }
}
