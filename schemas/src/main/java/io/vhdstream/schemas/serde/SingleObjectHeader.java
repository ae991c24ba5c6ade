package io.vhdstream.schemas.serde;

/**
 * The 10-byte header of Avro single-object encoding: marker {@code C3 01}, then the writer schema's
 * CRC-64-AVRO fingerprint as 8 little-endian bytes. Parsed here (Avro's decoder parses it too)
 * because the deserializer needs the writer schema before it lets Avro allocate anything.
 */
final class SingleObjectHeader {

    static final int LENGTH = 10;
    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = 0x01;

    private SingleObjectHeader() {
    }

    /**
     * Returns the writer fingerprint, or throws {@link IllegalArgumentException} saying what is
     * wrong with the framing.
     */
    static long fingerprint(byte[] data) {
        if (data.length >= 5 && data[0] == 0) {
            // Confluent Schema Registry framing: magic 0, 4-byte schema id. Say so, it is the usual mix-up.
            throw new IllegalArgumentException("starts with byte 0x00 like Confluent Schema Registry framing,"
                    + " not Avro single-object encoding (C3 01); use the registry's deserializer for this topic");
        }
        if (data.length < LENGTH) {
            throw new IllegalArgumentException("only " + data.length
                    + " bytes, shorter than the 10-byte single-object header");
        }
        if (data[0] != MARKER_0 || data[1] != MARKER_1) {
            throw new IllegalArgumentException(String.format(
                    "no single-object marker: starts with %02X %02X, expected C3 01", data[0], data[1]));
        }
        long fp = 0;
        for (int i = LENGTH - 1; i >= 2; i--) {
            fp = (fp << 8) | (data[i] & 0xFF);
        }
        return fp;
    }
}
