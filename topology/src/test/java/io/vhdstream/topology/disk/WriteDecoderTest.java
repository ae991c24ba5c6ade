package io.vhdstream.topology.disk;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Write;
import io.vhdstream.schemas.serde.AvroSerde;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.produce.DiskCommands;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The zero-copy Write decoder agrees with the serde, and leaves everything else to it. */
class WriteDecoderTest {
    private final AvroSerde<DiskCommand> serde = AvroSerdes.diskCommand();

    @Test
    void decodesWritesExactlyLikeTheSerdeWithoutCopyingTheData() {
        Random r = new Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] data = new byte[r.nextInt(4) == 0 ? 0 : r.nextInt(70_000)];
            r.nextBytes(data);
            StringBuilder id = new StringBuilder();
            for (int k = r.nextInt(40); k >= 0; k--) {
                id.append((char) (r.nextBoolean() ? 'a' + r.nextInt(26) : r.nextInt(0x3000)));
            }
            long offset = switch (r.nextInt(4)) {
                case 0 -> r.nextLong();
                case 1 -> -r.nextInt(1000);
                case 2 -> Long.MIN_VALUE;
                default -> (long) r.nextInt(1 << 20) * 512;
            };
            Long seq = r.nextBoolean() ? null : r.nextLong();
            DiskCommand c = new DiskCommand(id.toString(), seq, Instant.ofEpochMilli(r.nextLong() >> 20),
                    new Write(offset, ByteBuffer.wrap(data)));
            byte[] value = serde.serialize("t", c);
            DiskCommand fast = WriteDecoder.decode(value);
            assertNotNull(fast, "a current-schema Write takes the fast path");
            assertEquals(serde.deserialize("t", value), fast);
            ByteBuffer d = ((Write) fast.getPayload()).getData();
            assertSame(value, d.array(), "no copy");
        }
    }

    @Test
    void everythingElseGoesToTheSerde() {
        for (DiskCommand c : new DiskCommand[] {DiskCommands.create("d", 1 << 20, 1 << 20), DiskCommands.trim("d", 0, 512),
            DiskCommands.snapshot("d", "s", "l"), DiskCommands.delete("d", null)}) {
            assertNull(WriteDecoder.decode(serde.serialize("t", c)));
        }
        assertNull(WriteDecoder.decode(null));
        assertNull(WriteDecoder.decode(new byte[3]));
        byte[] w = serde.serialize("t", DiskCommands.write("d", 512, new byte[1024]));
        assertNull(WriteDecoder.decode(Arrays.copyOf(w, w.length + 1)), "trailing byte");
        assertNull(WriteDecoder.decode(Arrays.copyOf(w, w.length - 1)), "truncated");
        byte[] otherSchema = w.clone();
        otherSchema[5] ^= 1;
        assertNull(WriteDecoder.decode(otherSchema), "another writer fingerprint");
    }

    @Test
    void truncationsAndCorruptionsNeverDecodeDifferentlyFromTheSerde() {
        Random r = new Random(11);
        byte[] w = serde.serialize("t", DiskCommands.write("disk-1", 4096, new byte[600]));
        for (int i = 0; i < 20_000; i++) {
            byte[] v = w.clone();
            int flips = 1 + r.nextInt(3);
            for (int k = 0; k < flips; k++) {
                v[10 + r.nextInt(Math.min(40, v.length - 10))] = (byte) r.nextInt(256);
            }
            if (r.nextInt(4) == 0) {
                v = Arrays.copyOf(v, 10 + r.nextInt(v.length - 10));
            }
            DiskCommand fast = WriteDecoder.decode(v);
            if (fast != null) {
                DiskCommand slow;
                try {
                    slow = serde.deserialize("t", v);
                } catch (SerializationException e) {
                    throw new AssertionError("the fast path accepted what the serde refuses: " + e.getMessage());
                }
                assertEquals(slow, fast);
            }
        }
    }
}
