package io.vhdstream.vhd.chain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where parents may be found and how deep a chain may go. Locators are untrusted: a parent is used only
 * when its real path (symlinks resolved) lies under one of {@code allowedRoots}.
 *
 * @param strict refuse checksum mismatches in any layer
 */
public record ChainOptions(List<Path> allowedRoots, int maxDepth, boolean strict) {
    public static final int DEFAULT_MAX_DEPTH = 64;

    public ChainOptions {
        allowedRoots = List.copyOf(allowedRoots);
    }

    /** The default: parents only in the top image's directory (and below it). */
    public static ChainOptions forImage(Path top) {
        return forImage(top, List.of());
    }

    public static ChainOptions forImage(Path top, List<Path> extraRoots) {
        List<Path> roots = new ArrayList<>();
        Path dir = top.toAbsolutePath().normalize().getParent();
        if (dir != null) {
            roots.add(dir);
        }
        roots.addAll(extraRoots);
        return new ChainOptions(roots, DEFAULT_MAX_DEPTH, true);
    }

    public ChainOptions lenient() {
        return new ChainOptions(allowedRoots, maxDepth, false);
    }

    public ChainOptions withMaxDepth(int depth) {
        return new ChainOptions(allowedRoots, depth, strict);
    }
}
