package io.vhdstream.vhd.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class WriteBehindTest {
    @TempDir
    Path dir;

    @Test
    void syncsBehindTheWriterAndClosesPromptly() throws IOException {
        Path f = dir.resolve("f");
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                try (WriteBehind behind = new WriteBehind(ch)) {
                    for (long pos = 0; pos < 2 * WriteBehind.STEP + 3; pos += chunk.capacity()) {
                        chunk.clear();
                        ch.write(chunk, pos);
                        behind.written(chunk.capacity());
                    }
                }
            });
            assertEquals(2 * WriteBehind.STEP + (1 << 20), ch.size());
        }
    }

    @Test
    void aFailedBackgroundSyncIsReportedAtClose() throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve("g"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        WriteBehind behind = new WriteBehind(ch);
        ch.close(); // the background sync fails as a failing disk would make it
        behind.written(WriteBehind.STEP);
        assertThrows(ClosedChannelException.class, behind::close);
    }
}
