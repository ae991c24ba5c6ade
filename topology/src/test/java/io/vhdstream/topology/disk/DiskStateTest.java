package io.vhdstream.topology.disk;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code state} file: round trip, and a damaged one is a typed error, never an unchecked exception. */
class DiskStateTest {
    static final Path WHERE = Path.of("disk", LayerNames.STATE);

    @Test
    void roundTripsADeletedDiskWithOddNames() throws Exception {
        DiskState s = new DiskState("vm 1/α", "cmds", 3, 1 << 30, 2 << 20, 120, 1_732_363_200_000L, 990, "gone, for good",
                List.of("base.vhd", "0001-a,b.vhd"));
        assertEquals(s, DiskState.parse(new String(s.serialize(), StandardCharsets.UTF_8), WHERE));
        // The bytes themselves: state files and checkpoint records already written must read the same.
        assertEquals("version=1\ndiskId=vm%201%2F%CE%B1\ntopic=cmds\npartition=3\nvirtualSize=1073741824\nblockSize=2097152\n"
                + "createdOffset=120\ncreatedAt=1732363200000\ndeletedOffset=990\ndeleteReason=gone%2C%20for%20good\n"
                + "deletedLayers=base.vhd%2C0001-a%252Cb.vhd\n", new String(s.serialize(), StandardCharsets.UTF_8));
    }

    @Test
    void aMalformedEscapeInsideDeletedLayersIsALayerDirectoryError() {
        String text = "version=1\ndiskId=d\ntopic=t\npartition=0\nvirtualSize=1048576\nblockSize=2097152\ncreatedOffset=0\n"
                + "createdAt=0\ndeletedOffset=5\ndeletedLayers=%25G1\n";   // the list decodes to "%G1": a bad escape
        LayerDirectoryException e = assertThrows(LayerDirectoryException.class, () -> DiskState.parse(text, WHERE));
        assertTrue(e.getMessage().contains("escape"), e.getMessage());
    }
}
