package io.vhdstream.cli.vhd;

import io.vhdstream.cli.json.ErrorJson;
import io.vhdstream.cli.json.JsonOutput;
import io.vhdstream.cli.json.ProblemJson;
import io.vhdstream.vhd.batmap.Batmap;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.footer.Footer;
import io.vhdstream.vhd.header.DynamicHeader;
import io.vhdstream.vhd.image.ImageStructure;
import io.vhdstream.vhd.image.LocatorEntry;
import io.vhdstream.vhd.image.SparseImage;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.VhdTime;
import io.vhdstream.vhd.locator.ParentLocator;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** {@code info --json}: the document's shape, as records (Jackson loads only for --json). */
final class InfoJson {
    private InfoJson() {
    }

    record Info(String file, String type, long virtualSize, GeometryJson geometry, Creator creator, long originalSize,
                String uniqueId, long timestamp, String timestampUtc, int savedState, ChecksumJson checksum,
                boolean footerFromCopy, long dataOffset, Sparse sparse, Parent parent, List<Locator> locators,
                List<ProblemJson> problems, Chain chain) {
    }

    record GeometryJson(int cylinders, int heads, int sectorsPerTrack, long size) {
    }

    record Creator(String application, String version, String hostOs) {
    }

    record ChecksumJson(boolean ok, String stored, String computed) {
    }

    record Sparse(long blockSize, long maxTableEntries, int allocatedBlocks, long batOffset, ChecksumJson headerChecksum,
                  BatmapJson batmap) {
    }

    record BatmapJson(boolean present, Long headerOffset, Long mapOffset, Long mapSectors, String version, Boolean checksumOk) {
    }

    record Parent(String uniqueId, long timestamp, String timestampUtc, String name) {
    }

    record Locator(int slot, String platform, long platformCode, long dataOffset, long dataSpace, long dataSpaceBytes,
                   long dataLength, String path) {
    }

    /** Layers top first (absolute paths) and the warnings about them, or the error that stopped resolution. */
    record Chain(List<String> layers, List<ProblemJson> warnings, ErrorJson error) {
    }

    static void print(PrintWriter out, VhdImage img, InfoCommand.ChainInfo chain) {
        JsonOutput.print(out, of(img, chain));
    }

    static Info of(VhdImage img, InfoCommand.ChainInfo chain) {
        Footer f = img.footer();
        ImageStructure s = img.structure();
        Sparse sparse = null;
        Parent parent = null;
        List<Locator> locators = null;
        if (img instanceof SparseImage sp) {
            DynamicHeader h = sp.header();
            Batmap bm = s.batmap();
            BatmapJson batmap = bm == null ? new BatmapJson(false, null, null, null, null, null)
                    : new BatmapJson(true, s.batmapHeaderOffset(), bm.mapOffset(), bm.mapSectors(),
                            InfoCommand.version(bm.version()), bm.checksumValid());
            sparse = new Sparse(sp.blockSize(), h.maxTableEntries(), sp.allocatedBlocks(), h.tableOffset(),
                    checksum(h.checksumValid(), h.storedChecksum(), h.computedChecksum()), batmap);
            if (img.type() == DiskType.DIFFERENCING) {
                parent = new Parent(h.parentUniqueId().toString(), h.parentTimestamp(),
                        VhdTime.iso(h.parentTimestamp()), h.parentUnicodeName());
            }
            locators = s.locators().stream().map(InfoJson::locator).toList();
        }
        Path file = img.path();
        return new Info(abs(file), InfoCommand.typeName(img.type()), img.virtualSize(),
                new GeometryJson(f.geometry().cylinders(), f.geometry().heads(), f.geometry().sectorsPerTrack(),
                        f.geometry().sizeBytes()),
                new Creator(f.creatorApplication(), InfoCommand.version(f.creatorVersion()), f.creatorHostOs()),
                f.originalSize(), f.uniqueId().toString(), f.timestamp(), VhdTime.iso(f.timestamp()),
                f.savedState(), checksum(f.checksumValid(), f.storedChecksum(), f.computedChecksum()), s.footerFromCopy(),
                f.dataOffset(), sparse, parent, locators,
                s.problems().stream().map(p -> ProblemJson.of(file, p)).toList(), chain(file, chain));
    }

    private static Chain chain(Path file, InfoCommand.ChainInfo c) {
        if (c.errorCode() != null) {
            return new Chain(null, null, new ErrorJson(c.errorCode(), c.errorMessage()));
        }
        return new Chain(c.layers().stream().map(InfoJson::abs).toList(),
                c.warnings().stream().map(p -> ProblemJson.of(file, p)).toList(), null);
    }

    private static Locator locator(LocatorEntry e) {
        ParentLocator l = e.locator();
        return new Locator(e.slot(), l.platformName(), l.platformCode() & 0xFFFF_FFFFL, l.dataOffset(), l.dataSpace(),
                l.dataSpaceBytes(), l.dataLength(), e.path());
    }

    private static ChecksumJson checksum(boolean ok, int stored, int computed) {
        return new ChecksumJson(ok, String.format("0x%08x", stored), String.format("0x%08x", computed));
    }

    private static String abs(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }
}
