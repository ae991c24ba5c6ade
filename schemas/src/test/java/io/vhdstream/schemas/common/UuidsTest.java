package io.vhdstream.schemas.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UuidsTest {

    @Test
    void bigEndianLikeTheVhdFooter() {
        UUID id = UUID.fromString("00112233-4455-6677-8899-aabbccddeeff");
        Uuid avro = Uuids.of(id);
        assertArrayEquals(HexFormat.of().parseHex("00112233445566778899aabbccddeeff"), avro.bytes());
        assertEquals(id, Uuids.toUuid(avro));
        assertEquals(avro, Uuids.of(avro.bytes()));
    }

    @Test
    void rawBytesAreCopiedAndChecked() {
        byte[] raw = new byte[16];
        Uuid avro = Uuids.of(raw);
        raw[0] = 1;
        assertEquals(0, avro.bytes()[0]);
        assertThrows(IllegalArgumentException.class, () -> Uuids.of(new byte[15]));
        assertThrows(IllegalArgumentException.class, () -> Sha256s.of(new byte[33]));
        assertEquals("00".repeat(32), Sha256s.hex(Sha256s.of(new byte[32])));
    }
}
