package io.vhdstream.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.layer.LayerEvent;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Whatever the bytes, a deserializer either returns a record or throws SerializationException. */
class UndecodableInputTest {

    private static final int CASES = Integer.getInteger("vhdstream.fuzz.cases", 4000);
    private final AvroSerde<DiskCommand> commands = AvroSerdes.diskCommand();

    @Test
    void emptyAndShortInputs() {
        assertUndecodable(commands, new byte[0], "shorter than the 10-byte");
        assertUndecodable(commands, new byte[] {(byte) 0xC3, 0x01, 1, 2}, "shorter than the 10-byte");
    }

    @Test
    void missingMarker() {
        byte[] bytes = Fixtures.commands().get(2).toString().getBytes(); // JSON-ish text, not Avro
        assertUndecodable(commands, bytes, "no single-object marker");
    }

    @Test
    void confluentFramingIsNamed() {
        byte[] bytes = {0, 0, 0, 0, 42, 2, 'x', 0, 0, 0, 0, 0};
        assertUndecodable(commands, bytes, "Confluent");
    }

    @Test
    void unknownFingerprint() {
        byte[] bytes = commands.serialize("t", Fixtures.commands().get(2));
        bytes[5] ^= 0x40;
        assertUndecodable(commands, bytes, "unknown writer schema fingerprint");
    }

    @Test
    void recordOfAnotherTypeIsUnknownSchema() {
        byte[] layerEvent = AvroSerdes.layerEvent().serialize("t", Fixtures.layerEvents().get(0));
        assertUndecodable(commands, layerEvent, "unknown writer schema fingerprint");
    }

    @Test
    void everyTruncationOfEveryFixtureFails() {
        for (Fixtures.Case c : Fixtures.all()) {
            byte[] bytes = c.encode();
            // Every cut through the header and the small fields; for the 512 KiB records, also the
            // last bytes and a sample in between (every cut of those would be quadratic).
            for (int length = 0; length < bytes.length; length++) {
                boolean inspect = length < 400 || bytes.length - length <= 64 || length % 4099 == 0;
                if (inspect) {
                    assertUndecodable(c.serde(), Arrays.copyOf(bytes, length), "");
                }
            }
        }
    }

    @Test
    void trailingBytesFail() {
        byte[] bytes = commands.serialize("t", Fixtures.commands().get(4));
        assertUndecodable(commands, Arrays.copyOf(bytes, bytes.length + 1), "trailing bytes");
    }

    @Test
    void unionIndexOutOfRangeFails() {
        // diskId "d", sequence null (branch 0), timestamp 0, then payload branch 9 of 5.
        assertUndecodable(commands, body(commands, e -> {
            e.writeString("d");
            e.writeIndex(0);
            e.writeLong(0);
            e.writeIndex(9);
        }), "");
        assertUndecodable(commands, body(commands, e -> e.writeString("d").writeIndexNegative()), "");
    }

    @Test
    void lengthBombsFailFastWithoutAllocating() {
        // A string length near 2 GiB in a 20-byte record: must fail as truncated, not allocate.
        byte[] stringBomb = body(commands, e -> e.writeLong(Integer.MAX_VALUE - 16));
        // Write.data with a 1 GiB length prefix.
        byte[] bytesBomb = body(commands, e -> {
            e.writeString("d");
            e.writeIndex(0);
            e.writeLong(0);
            e.writeIndex(1);
            e.writeLong(0);
            e.writeLong(1L << 30);
        });
        // DiskDeleted.layerFiles claiming 2^31-1 entries.
        AvroSerde<LayerEvent> layers = AvroSerdes.layerEvent();
        byte[] arrayBomb = body(layers, e -> {
            e.writeIndex(1);
            e.writeString("d");
            e.writeLong(Integer.MAX_VALUE);
        });
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int i = 0; i < 200; i++) { // repeated so that a hidden allocation would show as OOM or slowness
                assertUndecodable(commands, stringBomb, "");
                assertUndecodable(commands, bytesBomb, "");
                assertUndecodable(layers, arrayBomb, "");
            }
        });
    }

    @Test
    void randomBytes() {
        Random random = new Random(11);
        for (int i = 0; i < CASES; i++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            if (random.nextBoolean() && bytes.length >= 2) {
                bytes[0] = (byte) 0xC3; // get past the marker check now and then
                bytes[1] = 0x01;
            }
            decodeOrTypedFailure(commands, bytes, 11, i);
        }
    }

    /**
     * Mutations of valid encodings, decoded by their own serde and by another one. Mutations are
     * biased to the body (after the header), where Avro's own decoding is exercised; a header
     * mutation is kept with a valid fingerprint half the time for the same reason.
     */
    @Test
    void mutatedRecordsDecodeOrFailTyped() {
        long seed = Long.getLong("vhdstream.fuzz.seed", 20240601L);
        Random random = new Random(seed);
        List<Fixtures.Case> cases = Fixtures.all();
        List<AvroSerde<?>> serdes = List.of(AvroSerdes.diskCommand(), AvroSerdes.layerEvent(),
                AvroSerdes.blockEvent(), AvroSerdes.deadLetter());
        int decoded = 0;
        for (int i = 0; i < CASES; i++) {
            Fixtures.Case c = cases.get(random.nextInt(cases.size()));
            byte[] bytes = mutate(c.encode(), random);
            if (decodeOrTypedFailure(c.serde(), bytes, seed, i)) {
                decoded++;
            }
            decodeOrTypedFailure(serdes.get(random.nextInt(serdes.size())), bytes, seed, i);
        }
        // Sanity: the mutations are not all fatal, so decoding of odd values is exercised too.
        assertTrue(decoded > 0, "no mutated record decoded");
    }

    private static byte[] mutate(byte[] valid, Random random) {
        byte[] b = valid.clone();
        int body = SingleObjectHeader.LENGTH;
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            int at = body + random.nextInt(Math.max(1, b.length - body));
            switch (random.nextInt(7)) {
                case 0 -> b[Math.min(at, b.length - 1)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[Math.min(at, b.length - 1)] = (byte) random.nextInt(256);
                case 2 -> b = Arrays.copyOf(b, Math.min(b.length, at)); // truncate
                case 3 -> { // insert random bytes
                    byte[] extra = new byte[1 + random.nextInt(8)];
                    random.nextBytes(extra);
                    b = concat(Arrays.copyOf(b, Math.min(at, b.length)), extra,
                            Arrays.copyOfRange(b, Math.min(at, b.length), b.length));
                }
                case 4 -> { // delete a range
                    int from = Math.min(at, b.length);
                    int to = Math.min(b.length, from + 1 + random.nextInt(8));
                    b = concat(Arrays.copyOf(b, from), Arrays.copyOfRange(b, to, b.length));
                }
                case 5 -> b[Math.min(at, b.length - 1)] = (byte) (0x80 | random.nextInt(128)); // varint continuation
                default -> b[random.nextInt(Math.min(b.length, body))] ^= (byte) (1 << random.nextInt(8)); // header
            }
            if (b.length <= body) {
                break;
            }
        }
        return b;
    }

    /** Returns true if the bytes decoded; fails the test on any exception but SerializationException. */
    private static boolean decodeOrTypedFailure(AvroSerde<?> serde, byte[] bytes, long seed, int i) {
        try {
            serde.deserialize("t", bytes);
            return true;
        } catch (SerializationException expected) {
            assertTrue(expected.getMessage() != null && expected.getMessage().startsWith("cannot decode"));
            return false;
        } catch (Throwable other) {
            fail("seed " + seed + " case " + i + ": " + serde.schema().getName() + " threw " + other
                    + " for " + HexFormat.of().formatHex(bytes), other);
            return false;
        }
    }

    private static void assertUndecodable(AvroSerde<?> serde, byte[] bytes, String messagePart) {
        SerializationException e = assertThrows(SerializationException.class, () -> serde.deserialize("t", bytes),
                () -> HexFormat.of().formatHex(bytes));
        assertTrue(e.getMessage().contains(messagePart), e::getMessage);
        assertTrue(e.getMessage().contains(serde.schema().getName()), e::getMessage);
    }

    /** A valid header for {@code serde}'s current schema followed by a hand-written body. */
    private static byte[] body(AvroSerde<?> serde, BodyWriter writer) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(new byte[] {(byte) 0xC3, 0x01});
            long fp = SchemaNormalization.parsingFingerprint64(serde.schema());
            for (int i = 0; i < 8; i++) {
                out.write((int) (fp >>> (8 * i)));
            }
            BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(new Body(e));
            e.flush();
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @FunctionalInterface
    private interface BodyWriter {
        void write(Body body) throws java.io.IOException;
    }

    /** Thin fluent wrapper over Avro's encoder, for writing deliberately wrong bodies. */
    private record Body(BinaryEncoder e) {
        Body writeString(String s) throws java.io.IOException {
            e.writeString(s);
            return this;
        }

        Body writeLong(long v) throws java.io.IOException {
            e.writeLong(v);
            return this;
        }

        Body writeIndex(int i) throws java.io.IOException {
            e.writeIndex(i);
            return this;
        }

        Body writeIndexNegative() throws java.io.IOException {
            e.writeInt(-3);
            return this;
        }
    }

    @Test
    void sanityTheHandWrittenBodyFormatMatchesAvro() {
        // Guards the bomb tests: the same helper with honest values must decode.
        byte[] ok = body(commands, e -> {
            e.writeString("d");
            e.writeIndex(0);
            e.writeLong(5);
            e.writeIndex(2); // Trim
            e.writeLong(512);
            e.writeLong(1024);
        });
        DiskCommand c = commands.deserialize("t", ok);
        assertEquals("d", c.getDiskId());
        assertEquals(new io.vhdstream.schemas.command.Trim(512L, 1024L), c.getPayload());
    }
}
