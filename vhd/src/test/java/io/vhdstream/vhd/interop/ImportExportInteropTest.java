package io.vhdstream.vhd.interop;

import io.vhdstream.vhd.ProgressListener;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.convert.Exporter;
import io.vhdstream.vhd.convert.Importer;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.image.VhdImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Raw → VHD → raw across tools: what {@link Importer} makes reads in QEMU and libvhdi as the raw file it
 * came from, and what {@code qemu-img convert -O vpc} makes exports through {@link Exporter} as its source.
 */
class ImportExportInteropTest {
    private static final int SIZE = 5 * 1024 * 1024 + 1536;

    @TempDir
    Path dir;

    /** Random data in scattered runs, zeros elsewhere (which the importer leaves unallocated). */
    private Path rawDisk(long seed) throws IOException {
        byte[] b = new byte[SIZE];
        Random r = new Random(seed);
        for (int i = 0; i < 30; i++) {
            int len = 512 * (1 + r.nextInt(200));
            int off = 512 * r.nextInt((SIZE - len) / 512 + 1);
            byte[] run = new byte[len];
            r.nextBytes(run);
            System.arraycopy(run, 0, b, off, len);
        }
        Path raw = dir.resolve("disk.raw");
        Files.write(raw, b);
        return raw;
    }

    @ParameterizedTest(name = "{0} bs={1}")
    @CsvSource({"DYNAMIC, 2097152", "DYNAMIC, 65536", "FIXED, 0"})
    void importedImagesReadAsTheirSourceInQemuAndLibvhdi(DiskType type, long blockSize) throws IOException {
        Path raw = rawDisk(blockSize + type.ordinal());
        byte[] source = Files.readAllBytes(raw);
        Path vhd = dir.resolve("imported.vhd");
        Importer.importRaw(raw, vhd, type, blockSize, ProgressListener.NONE);

        assertEquals(SIZE, QemuTool.virtualSize(vhd));
        Path back = dir.resolve("qemu.raw");
        QemuTool.convertToRaw(vhd, back);
        DiskCompare.assertSameBytes(type + ": qemu-img convert of the imported image", source, Files.readAllBytes(back));
        DiskCompare.assertSameBytes(type + ": libvhdi on the imported image", source,
                Libvhdi.dump(dir, dir.resolve("vhdi.raw"), vhd).bytes());
        try (VhdImage img = VhdImage.open(vhd)) {
            assertEquals(SIZE, img.virtualSize());
        }
    }

    @Test
    void qemuMadeVpcExportsAsItsSource() throws IOException {
        Path raw = rawDisk(42);
        byte[] source = Files.readAllBytes(raw);

        // force_size: a 'qem2' image of exactly the raw file's size
        Path exact = dir.resolve("exact.vhd");
        QemuTool.img("convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic,force_size=on", raw.toString(),
                exact.toString()).requireOk();
        Path out = dir.resolve("exact.raw");
        try (VhdChain chain = VhdChain.open(exact, ChainOptions.forImage(exact), false)) {
            Exporter.export(chain, out, ProgressListener.NONE);
        }
        DiskCompare.assertSameBytes("export of qemu-img convert -O vpc (force_size)", source, Files.readAllBytes(out));

        // without it QEMU rounds the size up to CHS (and writes that into the current size too)
        Path chs = dir.resolve("chs.vhd");
        QemuTool.img("convert", "-f", "raw", "-O", "vpc", raw.toString(), chs.toString()).requireOk();
        long qemuSize = QemuTool.virtualSize(chs);
        Path out2 = dir.resolve("chs.raw");
        try (VhdChain chain = VhdChain.open(chs, ChainOptions.forImage(chs), false)) {
            assertEquals(qemuSize, chain.virtualSize(), "a 'qemu' image's current size is its CHS size");
            Exporter.export(chain, out2, ProgressListener.NONE);
        }
        byte[] exported = Files.readAllBytes(out2);
        assertEquals(qemuSize, exported.length);
        DiskCompare.assertSameBytes("export of qemu-img convert -O vpc (CHS size), source range", source,
                Arrays.copyOf(exported, SIZE));
        DiskCompare.assertSameBytes("export past the source's end", new byte[exported.length - SIZE],
                Arrays.copyOfRange(exported, SIZE, exported.length));
    }
}
