package io.vhdstream.vhd.io;

/** The VHD checksum: one's complement of the byte sum, over the structure with its checksum field zeroed. */
public final class Checksum {
    private Checksum() {
    }

    /**
     * @param checksumAt offset of the 4-byte checksum field inside {@code bytes[from, from+len)}, relative to
     *                   {@code from}; those bytes count as zero. Pass -1 when the structure has no such field.
     */
    public static int compute(byte[] bytes, int from, int len, int checksumAt) {
        long sum = 0;
        for (int i = 0; i < len; i++) {
            if (checksumAt >= 0 && i >= checksumAt && i < checksumAt + 4) {
                continue;
            }
            sum += bytes[from + i] & 0xFF;
        }
        return (int) ~sum;
    }
}
