package io.vhdstream.vhd.io;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * Random (version 4) unique ids for new images. Read straight from {@code /dev/urandom} where it exists:
 * {@link UUID#randomUUID()} first initialises {@code SecureRandom} and its providers, tens of milliseconds
 * of a short command's start-up, for the same kernel randomness.
 */
public final class UniqueIds {
    private UniqueIds() {
    }

    public static UUID random() {
        byte[] b = new byte[16];
        try (InputStream in = new FileInputStream("/dev/urandom")) {
            if (in.readNBytes(b, 0, 16) != 16) {
                return UUID.randomUUID();
            }
        } catch (IOException | SecurityException e) {
            return UUID.randomUUID();
        }
        b[6] = (byte) ((b[6] & 0x0f) | 0x40); // version 4
        b[8] = (byte) ((b[8] & 0x3f) | 0x80); // IETF variant
        ByteBuffer bb = ByteBuffer.wrap(b);
        return new UUID(bb.getLong(), bb.getLong());
    }
}
