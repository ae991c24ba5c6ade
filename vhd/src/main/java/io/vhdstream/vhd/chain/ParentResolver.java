package io.vhdstream.vhd.chain;

import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.image.LocatorEntry;
import io.vhdstream.vhd.image.SparseImage;
import io.vhdstream.vhd.locator.LocatorPath;
import io.vhdstream.vhd.locator.PlatformCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a differencing image's parent file: W2ru, then W2ku, then MacX (and the deprecated Wi2r/Wi2k),
 * then the header's unicode name, each relative to the child's directory unless absolute. A candidate
 * counts only if it exists and its real path lies under an allowed root; the parent's unique id is checked
 * by the caller, which opens it. A candidate whose directory does not exist on this machine is also looked
 * for by file name in each allowed root.
 */
public final class ParentResolver {
    private static final int[] ORDER = {PlatformCode.W2RU, PlatformCode.W2KU, PlatformCode.MACX, PlatformCode.WI2R,
        PlatformCode.WI2K};

    private ParentResolver() {
    }

    /** A place a locator or the header names, in the order they are tried. */
    public record Candidate(String source, String text, Path path) {
    }

    /** Every candidate the child names, usable on this machine or not (path null when not). */
    public static List<Candidate> candidates(SparseImage child) {
        Path dir = child.path().toAbsolutePath().normalize().getParent();
        List<Candidate> out = new ArrayList<>();
        for (int code : ORDER) {
            for (LocatorEntry e : child.structure().locators()) {
                if (e.locator().platformCode() == code) {
                    String text = e.path();
                    out.add(new Candidate(PlatformCode.name(code), text, text == null ? null : toLocal(dir, text)));
                }
            }
        }
        String name = child.header().parentUnicodeName();
        if (!name.isEmpty()) {
            Path p = LocatorPath.isWindowsAbsolute(name) ? dir.resolve(safeName(LocatorPath.baseName(name)))
                    : toLocal(dir, name);
            out.add(new Candidate("header name", name, p));
        }
        return out;
    }

    /**
     * The first candidate that exists inside the allowed roots, as a real path.
     *
     * @throws VhdException PARENT_NOT_FOUND (none exists), PARENT_OUTSIDE_ROOT (the only ones that exist
     *                      lie outside every allowed root)
     */
    public static List<Path> existing(SparseImage child, ChainOptions options) throws IOException {
        List<Candidate> cands = candidates(child);
        List<Path> found = new ArrayList<>();
        List<String> outside = new ArrayList<>();
        for (Candidate c : cands) {
            if (c.path() == null) {
                continue;
            }
            // Judged on the path as written before the file system is asked anything, so a hostile locator
            // cannot learn whether files outside the roots exist; symlinks are judged on the real path below.
            if (!insideRootsLexically(c.path(), options)) {
                outside.add(c.source() + " -> " + c.path());
                continue;
            }
            if (!Files.exists(c.path())) {
                continue;
            }
            Path real = c.path().toRealPath();
            if (!Files.isRegularFile(real)) {
                continue; // a directory, FIFO or device named by a damaged or hostile locator
            }
            if (!insideRoots(real, options)) {
                outside.add(c.source() + " -> " + real);
                continue;
            }
            if (!found.contains(real)) {
                found.add(real);
            }
        }
        for (Path byName : byName(cands, options)) {
            if (!found.contains(byName)) {
                found.add(byName);
            }
        }
        if (found.isEmpty()) {
            if (!outside.isEmpty()) {
                throw new VhdException(ProblemCode.PARENT_OUTSIDE_ROOT, child.path() + ": parent " + outside
                        + " lies outside the allowed roots " + options.allowedRoots() + " (add one with --allow-root)");
            }
            StringBuilder tried = new StringBuilder();
            for (Candidate c : cands) {
                tried.append(tried.length() == 0 ? "" : ", ").append(c.source()).append(" '").append(c.text()).append('\'');
            }
            throw new VhdException(ProblemCode.PARENT_NOT_FOUND, child.path() + ": parent not found (tried "
                    + (tried.length() == 0 ? "nothing: no locators and no parent name" : tried) + ")");
        }
        return found;
    }

    /**
     * A chain copied from another machine names directories that do not exist here (a Windows drive, another
     * host's mount point): for such a candidate, its file name is looked for directly in each allowed root.
     * The caller still checks the unique id, so a file that merely has the same name is not taken.
     */
    private static List<Path> byName(List<Candidate> cands, ChainOptions options) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Candidate c : cands) {
            if (c.text() == null || c.text().isEmpty()) {
                continue;
            }
            Path dir = c.path() == null ? null : c.path().getParent();
            if (dir != null && Files.isDirectory(dir)) {
                continue; // the directory is here: the candidate itself was the answer (or is missing for real)
            }
            String name = safeName(LocatorPath.baseName(c.text()));
            for (Path root : options.allowedRoots()) {
                Path p;
                try {
                    p = root.resolve(name);
                } catch (InvalidPathException e) {
                    continue;
                }
                if (Files.isRegularFile(p)) {
                    Path real = p.toRealPath();
                    if (insideRoots(real, options) && !out.contains(real)) {
                        out.add(real);
                    }
                }
            }
        }
        return out;
    }

    private static boolean insideRootsLexically(Path candidate, ChainOptions options) {
        Path p = candidate.toAbsolutePath().normalize();
        for (Path root : options.allowedRoots()) {
            if (p.startsWith(root.toAbsolutePath().normalize())) {
                return true;
            }
        }
        return false;
    }

    static boolean insideRoots(Path real, ChainOptions options) throws IOException {
        for (Path root : options.allowedRoots()) {
            if (!Files.exists(root)) {
                continue;
            }
            if (real.startsWith(root.toRealPath())) {
                return true;
            }
        }
        return false;
    }

    private static Path toLocal(Path dir, String text) {
        try {
            if (LocatorPath.isWindowsAbsolute(text)) {
                return null;
            }
            String t = text.replace('\\', '/');
            Path p = Path.of(t);
            return (p.isAbsolute() ? p : dir.resolve(p)).normalize();
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static String safeName(String name) {
        return name.isEmpty() || name.equals(".") || name.equals("..") ? "_" : name.replace('/', '_');
    }

    /** The W2ru form of {@code target} seen from {@code fromDir}: ".\name" or "..\dir\name". */
    public static String windowsRelative(Path fromDir, Path target) {
        String rel = fromDir.relativize(target).toString().replace('/', '\\');
        return rel.startsWith("..") ? rel : ".\\" + rel;
    }
}
