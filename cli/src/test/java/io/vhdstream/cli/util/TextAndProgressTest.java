package io.vhdstream.cli.util;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextAndProgressTest {
    @Test
    void printableEscapesControlCharacters() {
        assertEquals("plain C:\\x é", Text.printable("plain C:\\x é"));
        assertEquals("a\\x1b[2Jb\\0c\\n", Text.printable("a\u001b[2Jb\0c\n"));
        assertEquals("\\u009b\\u202e", Text.printable("\u009b\u202e"));
        assertEquals("one line two", Text.oneLine("one\nline\ttwo"));
    }

    @Test
    void silentBarDrawsNothing() {
        try (ProgressBar bar = ProgressBar.silent()) {
            bar.progress(1, 2);
        }
    }

    @Test
    void barRedrawsInPlaceAndEndsTheLine() {
        StringWriter sw = new StringWriter();
        try (ProgressBar bar = ProgressBar.on(new PrintWriter(sw), "export")) {
            bar.progress(0, 4 << 20);
            bar.progress(2 << 20, 4 << 20);
            bar.progress(4 << 20, 4 << 20);
        }
        String s = sw.toString();
        assertTrue(s.startsWith("\rexport ["), s);
        assertTrue(s.contains("\rexport [##############################] 100% 4 MiB / 4 MiB"), s);
        assertTrue(s.endsWith(System.lineSeparator()), s);
        assertEquals("export [###############               ]  50% 2 MiB / 4 MiB", ProgressBar.render("export", 2 << 20, 4 << 20));
    }

    @Test
    void barThatNeverDrewPrintsNothingOnClose() {
        StringWriter sw = new StringWriter();
        ProgressBar.on(new PrintWriter(sw), "x").close();
        assertEquals("", sw.toString());
    }
}
