package io.vhdstream.vhd.chain;

import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.footer.Footer;
import io.vhdstream.vhd.header.DynamicHeader;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.ImageFile;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Finds the differencing images that name an image as their parent (by unique id, as reads check it), in a
 * set of directories (not their subdirectories). Writing into such a parent changes what its children read,
 * so writers ask first. Only each candidate's footer and header are read; files that are not VHDs, or are
 * damaged, are skipped.
 */
public final class ChildFinder {
    private ChildFinder() {
    }

    /** The children of {@code image} in its own directory and in {@code roots}, by real path. */
    public static List<Path> children(Path image, List<Path> roots) throws IOException {
        UUID id;
        try (VhdImage img = VhdImage.open(image, OpenOptions.LENIENT_READ)) {
            id = img.footer().uniqueId();
        }
        Path self = image.toRealPath();
        Set<Path> dirs = new LinkedHashSet<>();
        dirs.add(self.getParent());
        for (Path r : roots) {
            if (Files.isDirectory(r)) {
                dirs.add(r.toRealPath());
            }
        }
        List<Path> out = new ArrayList<>();
        for (Path dir : dirs) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    if (Files.isRegularFile(f) && namesParent(f, id)) {
                        Path real = f.toRealPath();
                        if (!real.equals(self) && !out.contains(real)) {
                            out.add(real);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static boolean namesParent(Path f, UUID parent) {
        try (ImageFile file = ImageFile.open(f, false)) {
            long size = file.size();
            if (size < Footer.SIZE + DynamicHeader.SIZE) {
                return false;
            }
            Footer footer = Footer.parse(file.read(size - Footer.SIZE, Footer.SIZE), 0);
            if (!footer.cookieValid()) {
                footer = Footer.parse(file.read(0, Footer.SIZE), 0);
            }
            if (!footer.cookieValid() || footer.diskType().orElse(null) != DiskType.DIFFERENCING) {
                return false;
            }
            long at = footer.dataOffset();
            if (at < 0 || at > size - DynamicHeader.SIZE) {
                return false;
            }
            DynamicHeader h = DynamicHeader.parse(file.read(at, DynamicHeader.SIZE), 0);
            return h.cookieValid() && h.parentUniqueId().equals(parent);
        } catch (IOException | RuntimeException e) {
            return false; // unreadable or not an image: not a child we can know of
        }
    }
}
