package io.vhdstream.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Write;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * Evolution through single-object encoding: the writer's fingerprint selects its schema from the
 * reader's SchemaStore and Avro resolves it to the reader's schema. The other schema versions are
 * built here from the real .avsc file, as a later (or earlier) release would have it.
 */
class SchemaEvolutionTest {

    private static final DiskCommand WRITE = Fixtures.commands().get(2);

    /** The current .avsc as checked in (surefire runs in the module directory). */
    private static Schema current() throws IOException {
        return new Schema.Parser().parse(new File("src/main/avro/command/DiskCommand.avsc"));
    }

    /** Current schema plus an optional {@code origin} on the envelope and {@code flags} in Write. */
    private static Schema newer() throws IOException {
        Schema cur = current();
        Schema withFlags = withFields(cur, fields -> {
            Schema.Field payload = fields.remove(fields.size() - 1);
            List<Schema> branches = new ArrayList<>();
            for (Schema branch : payload.schema().getTypes()) {
                branches.add(!branch.getName().equals("Write") ? branch : recordWith(branch, f -> {
                    f.add(new Schema.Field("flags", Schema.create(Schema.Type.INT), "New: write flags.", 0));
                    return f;
                }));
            }
            fields.add(new Schema.Field(payload, Schema.createUnion(branches)));
            fields.add(new Schema.Field("origin",
                    Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
                    "New: which producer sent the command.", JsonProperties.NULL_VALUE));
            return fields;
        });
        // Round-trip through JSON: this is the schema text a newer release would ship.
        return new Schema.Parser().parse(withFlags.toString());
    }

    /** Current schema without the optional {@code sequence} field: what an older release wrote. */
    private static Schema older() throws IOException {
        Schema old = withFields(current(), fields -> {
            fields.removeIf(f -> f.name().equals("sequence"));
            return fields;
        });
        return new Schema.Parser().parse(old.toString());
    }

    @Test
    void theBuiltSchemasReallyDifferOnTheWire() throws IOException {
        long cur = SchemaNormalization.parsingFingerprint64(DiskCommand.getClassSchema());
        assertEquals(cur, SchemaNormalization.parsingFingerprint64(current()), "generated class vs .avsc");
        assertNotEquals(cur, SchemaNormalization.parsingFingerprint64(newer()));
        assertNotEquals(cur, SchemaNormalization.parsingFingerprint64(older()));
    }

    @Test
    void newWriterCurrentReader() throws IOException {
        Schema newer = newer();
        GenericRecord record = convert(WRITE, newer);
        record.put("origin", "producer-7");
        ((GenericRecord) record.get("payload")).put("flags", 3);
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), newer).encode(record).array();

        // Without the newer schema the reader cannot even find the writer schema.
        AvroSerde<DiskCommand> serde = AvroSerdes.diskCommand();
        SerializationException e = assertThrows(SerializationException.class, () -> serde.deserialize("t", bytes));
        assertTrue(e.getMessage().contains("unknown writer schema fingerprint"), e::getMessage);

        // Once told about it, the new fields are dropped and everything else survives.
        serde.addWriterSchema(newer);
        assertEquals(WRITE, serde.deserialize("t", bytes));
    }

    @Test
    void currentWriterNewReader() throws IOException {
        Schema newer = newer();
        byte[] bytes = AvroSerdes.diskCommand().serialize("t", WRITE);
        SchemaStore.Cache store = new SchemaStore.Cache();
        store.addSchema(DiskCommand.getClassSchema());
        GenericRecord read = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), newer, store).decode(bytes);
        assertNull(read.get("origin"), "default of the added envelope field");
        GenericRecord payload = (GenericRecord) read.get("payload");
        assertEquals(0, payload.get("flags"), "default of the added Write field");
        assertEquals(WRITE.getDiskId(), read.get("diskId").toString());
        assertEquals(((Write) WRITE.getPayload()).getData(), payload.get("data"));
    }

    @Test
    void olderWriterCurrentReader() throws IOException {
        Schema older = older();
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), older)
                .encode(convert(WRITE, older)).array();
        DiskCommand read = AvroSerdes.diskCommand().addWriterSchema(older).deserialize("t", bytes);
        DiskCommand expected = DiskCommand.newBuilder(WRITE).setSequence(null).build();
        assertEquals(expected, read, "the field the older writer lacked takes its default");
    }

    /**
     * A newer release appends a command type. Records of the old types must still decode, and a
     * record of the new type must be undecodable: Avro alone would resolve it to the first
     * structurally compatible branch, a new {@code Resize {virtualSize}} to CreateDisk and a new
     * field-less {@code Flush {}} to DeleteDisk.
     */
    @Test
    void unionBranchUnknownToTheReaderFailsOnlyForThatBranch() throws IOException {
        assertNewBranchRefused(Schema.createRecord("Resize", "New: grows the disk.", "io.vhdstream.schemas.command",
                false, List.of(new Schema.Field("virtualSize", Schema.create(Schema.Type.LONG), "New size.", null))),
                r -> r.put("virtualSize", 1L << 40));
        assertNewBranchRefused(Schema.createRecord("Flush", "New: flushes caches.", "io.vhdstream.schemas.command",
                false, List.of()), r -> { });
    }

    private static void assertNewBranchRefused(Schema branch, java.util.function.Consumer<GenericRecord> fill)
            throws IOException {
        Schema withBranch = new Schema.Parser().parse(withFields(current(), fields -> {
            Schema.Field payload = fields.remove(fields.size() - 1);
            List<Schema> branches = new ArrayList<>(payload.schema().getTypes());
            branches.add(branch);
            fields.add(new Schema.Field(payload, Schema.createUnion(branches)));
            return fields;
        }).toString());
        BinaryMessageEncoder<GenericRecord> encoder = new BinaryMessageEncoder<>(GenericData.get(), withBranch);
        AvroSerde<DiskCommand> serde = AvroSerdes.diskCommand().addWriterSchema(withBranch);

        byte[] oldKind = encoder.encode(convert(WRITE, withBranch)).array();
        assertEquals(WRITE, serde.deserialize("t", oldKind));

        GenericRecord record = convert(WRITE, withBranch);
        GenericRecord payload = new GenericData.Record(withBranch.getField("payload").schema().getTypes().get(5));
        fill.accept(payload);
        record.put("payload", payload);
        byte[] newKind = encoder.encode(record).array();
        SerializationException e = assertThrows(SerializationException.class, () -> serde.deserialize("t", newKind),
                () -> "decoded as " + serde.deserialize("t", newKind));
        assertTrue(e.getMessage().contains(branch.getFullName()), e::getMessage);
    }

    /** {@code record} re-read as a generic record of {@code target} (resolution fills defaults). */
    private static GenericRecord convert(DiskCommand record, Schema target) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<DiskCommand>(DiskCommand.getClassSchema()).write(record, e);
        e.flush();
        return new GenericDatumReader<GenericRecord>(DiskCommand.getClassSchema(), target, GenericData.get())
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    }

    private static Schema withFields(Schema record, UnaryOperator<List<Schema.Field>> edit) {
        return recordWith(record, edit);
    }

    private static Schema recordWith(Schema record, UnaryOperator<List<Schema.Field>> edit) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : record.getFields()) {
            fields.add(new Schema.Field(f, f.schema())); // a Field belongs to one record: copy it
        }
        return Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), false, edit.apply(fields));
    }

}
