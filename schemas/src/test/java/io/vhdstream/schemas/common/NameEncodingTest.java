package io.vhdstream.connector.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DiskDirNamesTest {
    @Test
    void encodesAsTheLayerDirectoryContractSays() {
        assertEquals("vm-1.disk_0", DiskDirNames.encode("vm-1.disk_0"));
        assertEquals("a%2Fb%20c", DiskDirNames.encode("a/b c"));
        assertEquals("%CE%B1", DiskDirNames.encode("α"));
        assertEquals("%2E.", DiskDirNames.encode(".."));
        assertEquals("%2E", DiskDirNames.encode("."));
        assertEquals("%2Ehidden", DiskDirNames.encode(".hidden"));

        for (String id : new String[] {"vm 7/α", "..", ".", "x%y", "C:\\disk", "ok"}) {
            assertEquals(id, DiskDirNames.decode(DiskDirNames.encode(id)));
        }
        assertThrows(IllegalArgumentException.class, () -> DiskDirNames.decode("%G1"));
        assertThrows(IllegalArgumentException.class, () -> DiskDirNames.decode("%FF"));
        assertThrows(IllegalArgumentException.class, () -> DiskDirNames.decode("abc%2"));
    }
}
