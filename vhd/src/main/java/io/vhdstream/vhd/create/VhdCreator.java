package io.vhdstream.vhd.create;

import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.bat.BlockAllocationTable;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.ParentResolver;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.footer.Footer;
import io.vhdstream.vhd.footer.Geometry;
import io.vhdstream.vhd.header.DynamicHeader;
import io.vhdstream.vhd.image.BlockLayout;
import io.vhdstream.vhd.image.SparseImage;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.Sectors;
import io.vhdstream.vhd.io.UniqueIds;
import io.vhdstream.vhd.io.VhdTime;
import io.vhdstream.vhd.locator.LocatorPath;
import io.vhdstream.vhd.locator.ParentLocator;
import io.vhdstream.vhd.locator.PlatformCode;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;

/**
 * Makes new images. Layout of sparse ones: footer copy (0), dynamic header (512), BAT (1536), then for a
 * differencing disk the W2ru and W2ku locators, each in its own 4 KiB; blocks follow all of it.
 *
 * <p>The creator application is written as "win ": QEMU and other readers take the disk's size from the
 * current-size field only for a short list of creators (and from CHS geometry otherwise), and our sizes are
 * exact, not CHS-rounded. See docs/decisions.md.
 */
public final class VhdCreator {
    public static final String CREATOR_APP = "win ";
    public static final int CREATOR_VERSION = 0x000A_0000;
    public static final String CREATOR_HOST = "Wi2k";
    static final int LOCATOR_SPACE = 4096;

    private VhdCreator() {
    }

    public static void fixed(Path path, long size) throws IOException {
        checkSize(size);
        Footer footer = footer(size, DiskType.FIXED, Footer.FIXED_DATA_OFFSET);
        try (FileChannel ch = createNew(path)) {
            ch.write(ByteBuffer.wrap(footer.serialize()), size);
        }
    }

    public static void dynamic(Path path, long size, long blockSize) throws IOException {
        checkSize(size);
        checkBlockSize(blockSize);
        sparse(path, size, blockSize, DiskType.DYNAMIC, null);
    }

    /** A new differencing child of {@code parent}, with W2ru (relative) and W2ku (absolute) locators. */
    public static void differencing(Path child, Path parent) throws IOException {
        try (VhdImage p = VhdImage.open(parent)) {
            long blockSize = p instanceof SparseImage s ? s.blockSize() : DynamicHeader.DEFAULT_BLOCK_SIZE;
            sparse(child, p.virtualSize(), blockSize, DiskType.DIFFERENCING, new ParentInfo(p, parent));
        }
    }

    private record ParentInfo(VhdImage image, Path path) {
    }

    private static void sparse(Path path, long size, long blockSize, DiskType type, ParentInfo parent) throws IOException {
        long entries = checkedEntries(size, blockSize);
        long tableAt = Footer.SIZE + DynamicHeader.SIZE;
        long end = metadataEnd(entries);
        Footer footer = footer(size, type, Footer.SIZE);
        DynamicHeader.Builder hb = DynamicHeader.builder().tableOffset(tableAt).maxTableEntries(Math.max(1, entries))
                .blockSize(blockSize);
        byte[][] locatorData = new byte[2][];
        long[] locatorAt = new long[2];
        if (parent != null) {
            Path childAbs = path.toAbsolutePath().normalize();
            Path parentAbs = parent.path().toAbsolutePath().normalize();
            String relative = ParentResolver.windowsRelative(childAbs.getParent(), parentAbs);
            String absolute = parentAbs.toString();
            int[] codes = {PlatformCode.W2RU, PlatformCode.W2KU};
            String[] paths = {relative, absolute};
            for (int i = 0; i < 2; i++) {
                locatorData[i] = LocatorPath.encode(codes[i], paths[i]);
                long space = Math.max(LOCATOR_SPACE, Sectors.roundUp(locatorData[i].length));
                locatorAt[i] = end;
                // Data space in bytes, as Windows and blktap write it (readers take >= 512 as bytes).
                hb.locator(i, new ParentLocator(codes[i], space, locatorData[i].length, 0, end));
                end += space;
            }
            hb.parentUniqueId(parent.image().footer().uniqueId())
                    .parentTimestamp(parent.image().footer().timestamp())
                    .parentUnicodeName(LocatorPath.baseName(parentAbs.toString()));
        }
        DynamicHeader header = hb.build();
        BlockAllocationTable bat = BlockAllocationTable.empty((int) entries);
        try (FileChannel ch = createNew(path)) {
            write(ch, 0, footer.serialize());
            write(ch, Footer.SIZE, header.serialize());
            write(ch, tableAt, bat.serialize(Math.max(1, entries)));
            for (int i = 0; i < 2; i++) {
                if (locatorData[i] != null) {
                    write(ch, locatorAt[i], locatorData[i]);
                }
            }
            write(ch, end, footer.serialize());
        }
    }

    /**
     * Where the blocks of the dynamic image {@link #dynamic} would make go: for working out its size after a
     * conversion without writing it ({@code vhd measure}). Refuses what {@link #dynamic} refuses.
     */
    public static BlockLayout dynamicLayout(long size, long blockSize) throws VhdException {
        checkSize(size);
        checkBlockSize(blockSize);
        return new BlockLayout(metadataEnd(checkedEntries(size, blockSize)), blockSize);
    }

    /** The end of a sparse image's footer copy, header and BAT of {@code entries} (locators go after it). */
    private static long metadataEnd(long entries) {
        return Footer.SIZE + DynamicHeader.SIZE + Sectors.roundUp(Math.max(1, entries) * 4);
    }

    static Footer footer(long size, DiskType type, long dataOffset) {
        return Footer.builder().dataOffset(dataOffset).timestamp(VhdTime.now())
                .creator(CREATOR_APP, CREATOR_VERSION, CREATOR_HOST).originalSize(size).currentSize(size)
                .geometry(Geometry.forSize(size)).diskType(type).uniqueId(UniqueIds.random()).build();
    }

    private static long checkedEntries(long size, long blockSize) throws VhdException {
        long entries = (size + blockSize - 1) / blockSize;
        if (entries > BlockAllocationTable.MAX_ENTRIES_IN_MEMORY) {
            throw new VhdException(ProblemCode.INVALID_ARGUMENT, "block size " + blockSize + " gives " + entries
                    + " blocks for " + size + " bytes; use a larger block size");
        }
        return entries;
    }

    /** Refuses a disk size that is not a positive multiple of 512 of at most 2040 GiB. */
    public static void checkSize(long size) throws VhdException {
        if (size <= 0 || size % Sectors.SIZE != 0 || size > Footer.MAX_SIZE) {
            throw new VhdException(ProblemCode.INVALID_ARGUMENT, "size " + size
                    + " must be a positive multiple of 512 of at most 2040 GiB");
        }
    }

    private static void checkBlockSize(long blockSize) throws VhdException {
        if (blockSize < Sectors.SIZE || Long.bitCount(blockSize) != 1 || blockSize > DynamicHeader.MAX_BLOCK_SIZE) {
            throw new VhdException(ProblemCode.INVALID_ARGUMENT, "block size " + blockSize
                    + " must be a power of two from 512 bytes to 1 GiB");
        }
    }

    private static FileChannel createNew(Path path) throws IOException {
        try {
            return FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new VhdException(ProblemCode.ALREADY_EXISTS, path + " already exists", e);
        }
    }

    private static void write(FileChannel ch, long at, byte[] b) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b);
        long pos = at;
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
    }

}
