package io.vhdstream.topology.checkpoint;

import io.vhdstream.schemas.checkpoint.BaseChunk;
import io.vhdstream.schemas.checkpoint.Checkpoint;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.disk.DiskState;
import io.vhdstream.topology.disk.Position;
import io.vhdstream.topology.support.Histories;
import io.vhdstream.topology.support.Layers;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A base layer cut into checkpoint chunks and put together again: the same present sectors, the same bytes. */
class BaseChunksTest {
    static final long MIB = 1 << 20;
    // 3 MiB + 7 sectors: the last chunk is short
    static final long SIZE = 3 * MIB + 7 * 512;

    @TempDir
    Path work;

    final DiskState disk = DiskState.created("d", new Position("t", 0, 5, 1_700_000_000_000L), SIZE, 1 << 20);

    @Test
    void chunksCarryExactlyThePresentSectors() throws Exception {
        Path original = work.resolve("a.vhd");
        Path copy = work.resolve("b.vhd");
        VhdCreator.dynamic(original, SIZE, 1 << 20);
        VhdCreator.dynamic(copy, SIZE, 1 << 20);
        Random r = new Random(7);
        try (VhdImage a = VhdImage.open(original, OpenOptions.WRITE); VhdImage b = VhdImage.open(copy, OpenOptions.WRITE)) {
            for (int i = 0; i < 60; i++) {
                int sectors = 1 + r.nextInt(300);
                long at = 512L * r.nextInt((int) (SIZE / 512 - sectors));
                a.write(at, ByteBuffer.wrap(Histories.data(i, sectors * 512)));
            }
            a.write(SIZE - 512, ByteBuffer.wrap(Histories.data(99, 512)));
            a.write(MIB, ByteBuffer.allocate(4096));   // present zeros stay present
            List<Extent> present = a.presentExtents();
            int chunks = 0;
            for (long index : BaseChunks.touched(present)) {
                BaseChunk c = BaseChunks.read(a, disk, index, 42);
                // through the wire form, as the recovery gets it
                Checkpoint wire = AvroSerdes.checkpoint().deserialize("t", AvroSerdes.checkpoint().serialize("t",
                        new Checkpoint(c)));
                BaseChunks.write(b, (BaseChunk) wire.getPayload());
                chunks++;
            }
            assertEquals(7, chunks, "3 MiB + 7 sectors in 512 KiB chunks");
            a.sync();
            b.sync();
            assertEquals(present, b.presentExtents());
        }
        assertEquals(Layers.sha256(Layers.read(original)), Layers.sha256(Layers.read(copy)));
    }

    @Test
    void anEmptyChunkIsNoneAndACorruptOneWritesNothing() throws Exception {
        Path base = work.resolve("a.vhd");
        VhdCreator.dynamic(base, SIZE, 1 << 20);
        try (VhdImage a = VhdImage.open(base, OpenOptions.WRITE)) {
            assertNull(BaseChunks.read(a, disk, 2, 1));
            a.write(0, ByteBuffer.wrap(Histories.data(1, 2048)));
            BaseChunk good = BaseChunks.read(a, disk, 0, 1);
            BaseChunk shortData = BaseChunk.newBuilder(good).setData(ByteBuffer.allocate(1024)).build();
            BaseChunk wrongBitmap = BaseChunk.newBuilder(good).setSectors(ByteBuffer.allocate(3)).build();
            byte[] beyond = new byte[(int) (((SIZE - 6 * 512 * 1024) / 512 + 7) / 8)];
            beyond[beyond.length - 1] = (byte) 0x80;   // sector 7 of a 7-sector chunk
            BaseChunk pastEnd = BaseChunk.newBuilder(good).setIndex(6).setSectors(ByteBuffer.wrap(beyond))
                    .setData(ByteBuffer.allocate(512)).build();
            BaseChunk outside = BaseChunk.newBuilder(good).setIndex(7).build();
            for (BaseChunk bad : List.of(shortData, wrongBitmap, pastEnd, outside)) {
                assertThrows(IllegalArgumentException.class, () -> BaseChunks.write(a, bad), bad.toString());
            }
            assertEquals(List.of(new Extent(0, 2048)), a.presentExtents(), "nothing written by the refused chunks");
        }
    }
}
