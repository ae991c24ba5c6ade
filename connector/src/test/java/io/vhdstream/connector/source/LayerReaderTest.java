package io.vhdstream.connector.source;

import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** How a layer is cut into records, on the shapes that once went wrong. */
class LayerReaderTest {
    @TempDir
    Path dir;

    /**
     * A zero extent that ends exactly on a chunk boundary, followed by another extent: the zero run must end
     * with its own extent (it once carried on into the next one and computed a negative length).
     */
    @Test
    void zeroExtentEndingOnAChunkBoundaryBeforeAnotherExtent() throws Exception {
        Path p = dir.resolve("l.vhd");
        VhdCreator.dynamic(p, 8 << 20, 1 << 20);
        byte[] data = new byte[64 << 10];
        Arrays.fill(data, (byte) 9);
        try (VhdImage img = VhdImage.open(p, OpenOptions.WRITE)) {
            img.write(0, ByteBuffer.wrap(new byte[64 << 10]));   // [0, 64K): zeros, present
            img.write(128 << 10, ByteBuffer.wrap(data));         // [128K, 192K): data
        }
        List<LayerReader.Piece> pieces = new ArrayList<>();
        try (LayerReader r = new LayerReader(p, 64 << 10)) {
            for (LayerReader.Piece x = r.next(); x != null; x = r.next()) {
                pieces.add(x);
            }
        }
        assertEquals(2, pieces.size(), pieces::toString);
        LayerReader.Zeros z = assertInstanceOf(LayerReader.Zeros.class, pieces.get(0));
        assertEquals(0, z.offset());
        assertEquals(64 << 10, z.length());
        LayerReader.Data d = assertInstanceOf(LayerReader.Data.class, pieces.get(1));
        assertEquals(128 << 10, d.offset());
    }
}
