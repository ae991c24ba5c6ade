package io.vhdstream.vhd.interop;

import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.SparseImage;
import io.vhdstream.vhd.image.VhdImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Images and differencing chains we make read in libvhdi as our model says. libvhdi needs its caller to
 * attach parents ({@code set_parent}, which checks the parent's identifier against the child's parent id),
 * so it also proves the ids, sizes and parent names we write are what another reader expects.
 *
 * <p>Chain writes here are 4 KiB-aligned: libvhdi reads a clear-bit sector after a set-bit one in the same
 * 4 KiB as zeros (see {@link SectorExactChainTest} for sub-4 KiB chains).
 */
class UsToLibvhdiTest {
    private static final int MIB = 1 << 20;
    private static final int ODD = 3 * MIB + 512;
    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    static Stream<UsToQemuTest.Case> images() {
        return Stream.of(
                new UsToQemuTest.Case("fixed 3MiB+512", DiskType.FIXED, ODD, 0, 11),
                new UsToQemuTest.Case("dynamic 3MiB+512 bs=4KiB", DiskType.DYNAMIC, ODD, PAGE, 12),
                new UsToQemuTest.Case("dynamic 3MiB+512 bs=64KiB", DiskType.DYNAMIC, ODD, 64 << 10, 13),
                new UsToQemuTest.Case("dynamic 3MiB+512 bs=2MiB", DiskType.DYNAMIC, ODD, 2 * MIB, 14));
    }

    /** Single images, written at any sector (no parent, so libvhdi's 4 KiB quirk cannot show). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void imagesWeWroteReadIdenticallyInLibvhdi(UsToQemuTest.Case c) throws IOException {
        Path vhd = dir.resolve("ours.vhd");
        DiskModel model = UsToQemuTest.create(vhd, c.type(), c.size(), c.blockSize(), c.seed());
        Libvhdi.Dump dump = Libvhdi.dump(dir, dir.resolve("vhdi.raw"), vhd);
        try (VhdImage img = VhdImage.open(vhd)) {
            assertEquals(img.footer().uniqueId(), dump.top().identifier(), "libvhdi reads our unique id");
            assertEquals(c.size(), dump.top().mediaSize(), "libvhdi reads our exact size");
            assertEquals(img.footer().diskTypeCode(), dump.top().diskType());
        }
        DiskCompare.assertSameBytes(c + ": libvhdi vs model", model.bytes, dump.bytes());
    }

    record ChainCase(String name, DiskType baseType, long baseBlockSize, int depth, int size, long seed) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<ChainCase> chains() {
        return Stream.of(
                new ChainCase("dynamic bs=64KiB + 1 child", DiskType.DYNAMIC, 64 << 10, 2, 2 * MIB + PAGE, 21),
                new ChainCase("dynamic bs=64KiB + 2 children", DiskType.DYNAMIC, 64 << 10, 3, ODD + 7 * 512, 22),
                new ChainCase("dynamic bs=2MiB + 2 children", DiskType.DYNAMIC, 2 * MIB, 3, 5 * MIB, 23),
                new ChainCase("fixed + 2 children", DiskType.FIXED, 0, 3, 4 * MIB + PAGE, 24));
    }

    /** Chains made with {@link VhdCreator#differencing}, 4 KiB-aligned writes and zeros in every layer. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("chains")
    void chainsWeWroteReadIdenticallyInLibvhdi(ChainCase c) throws IOException {
        List<Path> layers = new ArrayList<>(); // base first here; reversed for libvhdi
        Path base = dir.resolve("base.vhd");
        if (c.baseType() == DiskType.FIXED) {
            VhdCreator.fixed(base, c.size());
        } else {
            VhdCreator.dynamic(base, c.size(), c.baseBlockSize());
        }
        layers.add(base);
        DiskModel model = new DiskModel(c.size(), c.seed());
        writePages(base, model, 24);
        for (int i = 1; i < c.depth(); i++) {
            Path child = dir.resolve("child" + i + ".vhd");
            VhdCreator.differencing(child, layers.get(i - 1));
            layers.add(child);
            writePages(child, model, 16);
        }

        List<Path> topFirst = new ArrayList<>(layers);
        Collections.reverse(topFirst);
        Path top = topFirst.get(0);
        Libvhdi.Dump dump = Libvhdi.dump(dir, dir.resolve("vhdi.raw"), top,
                topFirst.subList(1, topFirst.size()).toArray(Path[]::new));

        try (VhdChain chain = VhdChain.open(top)) {
            assertEquals(c.depth(), chain.layers().size());
            for (int i = 0; i < c.depth(); i++) {
                VhdImage ours = chain.layers().get(i);
                Libvhdi.Layer theirs = dump.layers().get(i);
                assertEquals(ours.footer().uniqueId(), theirs.identifier(), "layer " + i + " id");
                assertEquals(c.size(), theirs.mediaSize(), "layer " + i + " size");
                if (i + 1 < c.depth()) {
                    SparseImage child = (SparseImage) ours;
                    assertEquals(child.header().parentUniqueId(), theirs.parentIdentifier(), "layer " + i + " parent id as libvhdi reads it");
                    assertEquals(chain.layers().get(i + 1).footer().uniqueId(), theirs.parentIdentifier(),
                            "libvhdi's parent id of layer " + i + " is the next layer's id (set_parent accepted it)");
                    assertEquals(chain.layers().get(i + 1).path().getFileName().toString(), theirs.parentFilename(),
                            "the header's parent name is the parent's file name");
                }
            }
            assertTrue(chain.warnings().isEmpty(), chain.warnings()::toString);
            DiskCompare.assertSameBytes(c + ": our chain read vs model", model.bytes, DiskCompare.readAll(chain));
        }
        DiskCompare.assertSameBytes(c + ": libvhdi vs model", model.bytes, dump.bytes());
    }

    /** libvhdi's set_parent must refuse a parent whose id is not the child's parent id (so the check above means something). */
    @Test
    void libvhdiRefusesAParentWithAnotherId() throws IOException {
        Path base = dir.resolve("base.vhd");
        VhdCreator.dynamic(base, 2 * MIB, 64 << 10);
        Path child = dir.resolve("child.vhd");
        VhdCreator.differencing(child, base);
        Path other = dir.resolve("other.vhd");
        VhdCreator.dynamic(other, 2 * MIB, 64 << 10);
        Proc.Result r = Libvhdi.run(dir, dir.resolve("x.raw"), child, other);
        assertFalse(r.ok(), "libvhdi accepted a parent with the wrong id: " + r.describe());
        assertTrue(r.stderr().contains("set_parent"), r.describe());
    }

    /** A snapshot over a QEMU-made, QEMU-written base: our chain and libvhdi both read the model. */
    @Test
    void childOfAQemuMadeBase() throws IOException {
        Path base = dir.resolve("qemu-base.vhd");
        QemuTool.create(base, "dynamic", "6M", false);
        long size = QemuTool.virtualSize(base);
        QemuTool.write(base, List.of(new QemuTool.Write(0, 3 * MIB, 0x31), new QemuTool.Write(4 * MIB + 5, 9000, 0x32)));
        Path raw = dir.resolve("base.raw");
        QemuTool.convertToRaw(base, raw);
        DiskModel model = new DiskModel(Files.readAllBytes(raw), 31);
        Path child = dir.resolve("child.vhd");
        VhdCreator.differencing(child, base);
        writePages(child, model, 20);

        Libvhdi.Dump dump = Libvhdi.dump(dir, dir.resolve("vhdi.raw"), child, base);
        assertEquals(size, dump.top().mediaSize());
        try (VhdChain chain = VhdChain.open(child)) {
            assertEquals(size, chain.virtualSize(), "the child takes the base's (CHS-rounded) size");
            DiskCompare.assertSameBytes("our chain over a qemu base", model.bytes, DiskCompare.readAll(chain));
        }
        DiskCompare.assertSameBytes("libvhdi chain over a qemu base", model.bytes, dump.bytes());
    }

    /**
     * A parent in a sibling directory with spaces and non-ASCII characters: W2ru is {@code ..\dir\name}, the
     * header name (UTF-16BE) is what libvhdi reports, and resolution needs the parent's directory allowed.
     */
    @Test
    void parentInASiblingDirectoryWithANonAsciiName() throws IOException {
        Path parentDir = Files.createDirectories(dir.resolve("parents dir"));
        Path childDir = Files.createDirectories(dir.resolve("kids"));
        Path base = parentDir.resolve("bäse €1.vhd");
        VhdCreator.dynamic(base, 2 * MIB, 64 << 10);
        DiskModel model = new DiskModel(2 * MIB, 41);
        writePages(base, model, 6);
        Path child = childDir.resolve("child.vhd");
        VhdCreator.differencing(child, base);
        writePages(child, model, 6);

        try (VhdImage img = VhdImage.open(child)) {
            assertEquals("..\\parents dir\\bäse €1.vhd", img.structure().locators().get(0).path(), "W2ru");
            assertEquals("bäse €1.vhd", ((SparseImage) img).header().parentUnicodeName());
        }
        VhdException outside = assertThrows(VhdException.class, () -> VhdChain.open(child));
        assertEquals(ProblemCode.PARENT_OUTSIDE_ROOT, outside.code(), outside.getMessage());
        try (VhdChain chain = VhdChain.open(child, ChainOptions.forImage(child, List.of(parentDir)), false)) {
            assertEquals(base.toRealPath(), chain.layers().get(1).path().toRealPath());
            DiskCompare.assertSameBytes("our chain", model.bytes, DiskCompare.readAll(chain));
        }
        Libvhdi.Dump dump = Libvhdi.dump(dir, dir.resolve("vhdi.raw"), child, base);
        assertEquals("bäse €1.vhd", dump.top().parentFilename());
        DiskCompare.assertSameBytes("libvhdi", model.bytes, dump.bytes());
    }

    /** 4 KiB-aligned random writes and zeros in one layer; every layer gets full and partial blocks. */
    private static void writePages(Path vhd, DiskModel model, int count) throws IOException {
        try (VhdImage img = VhdImage.open(vhd, OpenOptions.WRITE)) {
            int size = model.size();
            for (int i = 0; i < count; i++) {
                int len = PAGE * (1 + model.random.nextInt(i % 4 == 0 ? 96 : 6));
                len = Math.min(len, size / PAGE * PAGE);
                model.write(img, null, model.aligned(size - len + 1, PAGE), len);
            }
            for (int i = 0; i < 3; i++) {
                int len = PAGE * (1 + model.random.nextInt(8));
                model.zero(img, null, model.aligned(size - len + 1, PAGE), len);
            }
            // the last page, even where the size is not a multiple of 4 KiB (the run then ends with the disk)
            int tail = size % PAGE == 0 ? PAGE : size % PAGE;
            model.write(img, null, size - tail, tail);
        }
    }
}
