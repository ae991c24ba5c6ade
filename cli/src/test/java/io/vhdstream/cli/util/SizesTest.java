package io.vhdstream.cli.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SizesTest {
    /** human() rounds as %.1f does, without java.util.Formatter (start-up cost). */
    @Test
    void humanPrintsOneDecimalAsFormatDoes() {
        java.util.Random r = new java.util.Random(11);
        for (int i = 0; i < 20_000; i++) {
            long bytes = 1024 + (r.nextLong() >>> (1 + r.nextInt(62)));
            String h = Sizes.human(bytes);
            long div = 1L << (10 * ("KMGTPE".indexOf(h.charAt(h.length() - 3)) + 1));
            if (bytes % div != 0) {
                String expected = String.format(java.util.Locale.ROOT, "%.1f", (double) bytes / div);
                assertEquals(expected + h.substring(h.length() - 4), h, () -> "bytes " + bytes);
            }
        }
        assertEquals("1.5 KiB", Sizes.human(1536));
        assertEquals("1.0 MiB", Sizes.human((1 << 20) + 1));
    }

    @Test
    void plainBytes() {
        assertEquals(0, Sizes.parse("0"));
        assertEquals(512, Sizes.parse("512"));
        assertEquals(1_000_000, Sizes.parse(" 1000000 "));
    }

    @Test
    void binarySuffixesInAnyCase() {
        assertEquals(1024, Sizes.parse("1K"));
        assertEquals(64 * 1024, Sizes.parse("64k"));
        assertEquals(10L << 20, Sizes.parse("10M"));
        assertEquals(2L << 30, Sizes.parse("2G"));
        assertEquals(3L << 40, Sizes.parse("3t"));
        assertEquals(5L << 20, Sizes.parse("5MiB"));
        assertEquals(5L << 30, Sizes.parse("5gib"));
        assertEquals(2040L << 30, Sizes.parse("2040G"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "K", "-1", "1.5G", "10MB", "10B", "iB", "1X", "0x10", "1 K", "+5", "1KK", "99999999999999999999"})
    void rejectsWhatIsNotASize(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text));
        assertTrue(e.getMessage().contains("not a size") || e.getMessage().contains("too large"), e.getMessage());
    }

    @Test
    void rejectsOverflowWithASuffix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse("9000000T"));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        assertEquals(8388607L << 40, Sizes.parse("8388607T"));
    }

    @Test
    void humanIsExactWhenWhole() {
        assertEquals("0 bytes", Sizes.human(0));
        assertEquals("1 byte", Sizes.human(1));
        assertEquals("1023 bytes", Sizes.human(1023));
        assertEquals("1 KiB", Sizes.human(1024));
        assertEquals("2 MiB", Sizes.human(2 << 20));
        assertEquals("1.5 GiB", Sizes.human(3L << 29));
        assertEquals("4 TiB", Sizes.human(4L << 40));
        assertEquals("4194304 bytes (4 MiB)", Sizes.withHuman(4 << 20));
    }
}
