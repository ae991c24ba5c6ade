package io.vhdstream.connector.source;

import io.vhdstream.connector.config.DirectoryChecks;
import io.vhdstream.schemas.common.NameEncoding;
import io.vhdstream.schemas.layerdir.LayerDirectoryLines;
import io.vhdstream.schemas.layerdir.StateFile;
import io.vhdstream.schemas.block.SourceErrorCodes;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.chain.ParentResolver;
import io.vhdstream.vhd.coalesce.CoalesceMarker;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.header.DynamicHeader;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.SparseImage;
import io.vhdstream.vhd.image.VhdImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Finds the disks under the roots and which of their layers are sealed.
 *
 * <ul>
 * <li>A directory holding a {@code state} or {@code sealed} file is a vhdstream layer directory
 * (docs/layer-directory.md): the disk id is its decoded name, the sealed layers are the complete lines of
 * {@code sealed}, in layer-index order; its files are not looked at as foreign images.</li>
 * <li>Every other {@code .vhd}/{@code .avhd} file is a layer of a foreign chain. Parents are found by the
 * engine's locator rules, only inside the roots, and must carry the unique id the child names. A layer is
 * sealed when a valid image names it as parent. A disk is the chain from a non-differencing base through
 * sealed layers, its id the base's unique id. Where two sealed layers share a parent the chain branches:
 * the trunk up to the fork is emitted and the fork is reported.</li>
 * </ul>
 *
 * Images are opened strictly (checksums verified); what is learnt from a file is cached by size and
 * modification time. A problem is returned only once it has been seen by two scans in a row with the file
 * unchanged, so that an image caught in the middle of a write by another program is not reported.
 * Not thread-safe: one scanner per task.
 */
public final class RootScanner {
    private static final Logger log = LoggerFactory.getLogger(RootScanner.class);
    static final String SEALED_FILE = LayerDirectoryLines.SEALED;
    static final String STATE_FILE = StateFile.NAME;
    static final String MERGED_FILE = LayerDirectoryLines.MERGED;
    /** The file a merge of a layer directory writes into. */
    static final String BASE_FILE = "base.vhd";
    private static final int MAX_CHAIN = 1024;

    private final List<Path> roots;
    private final int maxDepth;
    private final boolean includeActiveLeaf;
    private final Map<Path, ImageInfo> cache = new HashMap<>();
    /** A layer directory's {@code state} file as last read, by path: written twice in a disk's life, read again only then. */
    private final Map<Path, Tombstone> tombstones = new HashMap<>();
    private Set<String> lastProblems = Set.of();

    public RootScanner(List<Path> roots, int maxDepth, boolean includeActiveLeaf) {
        this.roots = List.copyOf(roots);
        this.maxDepth = maxDepth;
        this.includeActiveLeaf = includeActiveLeaf;
    }

    /** What a file held when it was last read: its identity or why it could not be read. */
    record ImageInfo(Path real, long size, long mtime, UUID uniqueId, DiskType type, UUID parentId, long virtualSize,
                     int blockSize, List<ParentResolver.Candidate> candidates, IOException error) {
        boolean valid() {
            return error == null;
        }
    }

    private final class Scan {
        final List<ScanProblem> problems = new ArrayList<>();
        final Map<String, DiskChain> disks = new TreeMap<>();
        final Map<String, DeletedDisk> deleted = new TreeMap<>();
        final List<Path> realRoots = new ArrayList<>();
        final Map<Path, Path> foreign = new TreeMap<>(); // real path -> root
        final List<Path[]> layerDirs = new ArrayList<>(); // {dir, root}
        final Set<Path> touched = new HashSet<>();
        final Map<Path, Path> rootOfReal = new HashMap<>();

        void problem(String diskId, Path root, Path file, String code, String message, ImageInfo info) {
            String rel = relative(root, file);
            String fp = code + "|" + root + "|" + rel + "|" + (info == null ? "" : info.size() + "|" + info.mtime());
            problems.add(new ScanProblem(diskId, root.toString(), rel, code, message, fp));
        }
    }

    public ScanResult scan() {
        Scan s = new Scan();
        for (Path root : roots) {
            String why = DirectoryChecks.readableDirectory(root);
            if (why != null) {
                s.problem(null, root, root, SourceErrorCodes.IO_ERROR, "root " + why, null);
                continue;
            }
            try {
                s.realRoots.add(root.toRealPath());
                walk(s, root);
            } catch (IOException e) {
                s.problem(null, root, root, SourceErrorCodes.IO_ERROR, "cannot scan root " + root + ": " + e, null);
            }
        }
        for (Path[] d : s.layerDirs) {
            layerDirectory(s, d[0], d[1]);
        }
        foreignChains(s);
        cache.keySet().retainAll(s.touched);

        Set<String> now = new HashSet<>();
        List<ScanProblem> confirmed = new ArrayList<>();
        for (ScanProblem p : s.problems) {
            if (now.add(p.fingerprint()) && lastProblems.contains(p.fingerprint())) {
                confirmed.add(p);
            }
        }
        lastProblems = now;
        tombstones.keySet().retainAll(s.touched);
        return new ScanResult(s.disks, s.deleted, confirmed);
    }

    private void walk(Scan s, Path root) throws IOException {
        Files.walkFileTree(root, EnumSet.noneOf(FileVisitOption.class), maxDepth + 1, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root) && dir.getFileName().toString().startsWith(".")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (Files.isRegularFile(dir.resolve(SEALED_FILE), LinkOption.NOFOLLOW_LINKS)
                        || Files.isRegularFile(dir.resolve(STATE_FILE), LinkOption.NOFOLLOW_LINKS)) {
                    s.layerDirs.add(new Path[] {dir, root});
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String name = file.getFileName().toString();
                String lower = name.toLowerCase(Locale.ROOT);
                if (attrs.isRegularFile() && !name.startsWith(".") && (lower.endsWith(".vhd") || lower.endsWith(".avhd"))) {
                    Path real = file.toRealPath();
                    s.foreign.putIfAbsent(real, root);
                    s.rootOfReal.putIfAbsent(real, root);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                s.problem(null, root, file, SourceErrorCodes.IO_ERROR, "cannot read " + file + ": " + exc, null);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    // ---- vhdstream layer directories

    private void layerDirectory(Scan s, Path dir, Path root) {
        String diskId;
        try {
            diskId = NameEncoding.decode(dir.getFileName().toString());
        } catch (IllegalArgumentException e) {
            s.problem(null, root, dir, SourceErrorCodes.UNSUPPORTED_IMAGE, "layer directory name is not an encoded disk id: "
                    + e.getMessage(), null);
            return;
        }
        Tombstone t = tombstone(s, dir.resolve(STATE_FILE));
        if (t.deleted()) {
            // Deleted at the source: its layer files are gone (or going), which is no problem to report.
            s.deleted.put(diskId, new DeletedDisk(diskId, t.offset(), t.reason()));
            return;
        }
        Path sealedFile = dir.resolve(SEALED_FILE);
        if (!Files.exists(sealedFile)) {
            return; // a disk without a sealed layer yet
        }
        String text;
        try {
            text = Files.readString(sealedFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            s.problem(diskId, root, sealedFile, SourceErrorCodes.IO_ERROR, "cannot read " + sealedFile + ": " + e, null);
            return;
        }
        String stamp = mergeStamp(dir);
        int baseLevel = baseLevel(s, diskId, root, dir);
        if (baseLevel < 0) {
            return; // a merge is rewriting base.vhd: nothing of the disk can be read now
        }
        // Only complete lines: the topology may be appending one right now.
        List<LayerRef> layers = new ArrayList<>();
        LayerRef prev = null;
        int expected = 0;
        for (String line : LayerDirectoryLines.completeLines(text)) {
            LayerDirectoryLines.SealedLine l;
            try {
                l = LayerDirectoryLines.SealedLine.parse(line);
            } catch (IllegalArgumentException e) {
                l = null;
            }
            if (l == null || l.layerIndex() != expected) {
                if (!stamp.equals(mergeStamp(dir))) {
                    return; // a merge began while the chain was read: read it at the next scan
                }
                s.problem(diskId, root, sealedFile, SourceErrorCodes.BROKEN_CHAIN, "line '" + line + "' of " + sealedFile
                        + " is not '<layerIndex " + expected + "> <fileName> ...'", null);
                break;
            }
            int index = l.layerIndex();
            String snapshot = l.snapshotField() == null ? null : decodeOrRaw(l.snapshotField());
            expected++;
            if (index > 0 && index <= baseLevel) {
                if (index == baseLevel && !layers.isEmpty() && snapshot != null) {
                    layers.set(0, layers.get(0).withSnapshot(snapshot)); // the newest snapshot the base holds
                }
                continue; // merged into base.vhd: its file is gone
            }
            Path file = dir.resolve(l.fileName());
            ImageInfo info = info(s, file);
            if (info == null) {
                if (!stamp.equals(mergeStamp(dir))) {
                    return; // a merge began while the chain was read: read it at the next scan
                }
                s.problem(diskId, root, file, SourceErrorCodes.IO_ERROR, sealedFile + " lists " + l.fileName() + ", which is missing", null);
                break;
            }
            if (!info.valid()) {
                if (!stamp.equals(mergeStamp(dir))) {
                    return; // a merge began while the chain was read: read it at the next scan
                }
                s.problem(diskId, root, file, code(info.error()), message(info.error()), info);
                break;
            }
            boolean linked = index == 0 ? info.type() != DiskType.DIFFERENCING
                    : info.type() == DiskType.DIFFERENCING && prev.uniqueId().equals(info.parentId());
            if (!linked) {
                if (!stamp.equals(mergeStamp(dir))) {
                    return; // a merge began while the chain was read: read it at the next scan
                }
                s.problem(diskId, root, file, SourceErrorCodes.BROKEN_CHAIN, index == 0
                        ? file + " is layer 0 but a differencing image"
                        : file + " names parent " + info.parentId() + ", but layer " + (index - 1) + " is " + prev.uniqueId(), info);
                break;
            }
            // The parent its LayerSealed announced: after a merge the header names base.vhd instead.
            UUID announcedParent = index == 0 ? null : uuidField(l, "parent", info.parentId());
            prev = new LayerRef(file, info.uniqueId(), announcedParent, index, l.fileName(), info.virtualSize(), info.blockSize(),
                    true, snapshot);
            layers.add(prev);
        }
        if (layers.isEmpty()) {
            return;
        }
        if (s.disks.containsKey(diskId)) {
            s.problem(diskId, root, dir, SourceErrorCodes.UNSUPPORTED_IMAGE, "disk id " + diskId + " is also "
                    + s.disks.get(diskId).layers().get(0).path().getParent() + "; skipping " + dir, null);
            return;
        }
        s.disks.put(diskId, new DiskChain(diskId, root, true, baseLevel, layers, stamp));
    }

    /** What a {@code state} file says of a deletion, with the size and time it was read at. */
    private record Tombstone(long size, long mtime, boolean deleted, long offset, String reason) {
        static final Tombstone NONE = new Tombstone(-1, -1, false, -1, null);
    }

    /**
     * The deletion a layer directory's {@code state} records ({@code deletedOffset}, {@code deleteReason}: the topology
     * replaces the file atomically by a tombstone before it removes the layer files), read by the shared rules of
     * {@link StateFile}; none while the disk exists, or when the file cannot be read or breaks a rule (the layers say
     * what is wrong then).
     */
    private Tombstone tombstone(Scan s, Path state) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(state, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return Tombstone.NONE;
        }
        s.touched.add(state);
        long mtime = a.lastModifiedTime().toMillis();
        Tombstone cached = tombstones.get(state);
        if (cached != null && cached.size() == a.size() && cached.mtime() == mtime) {
            return cached;
        }
        Tombstone t = Tombstone.NONE;
        try {
            StateFile.Fields f = StateFile.parse(Files.readString(state, StandardCharsets.UTF_8));
            t = new Tombstone(a.size(), mtime, f.deletedOffset() >= 0, f.deletedOffset(), f.deleteReason());
        } catch (IOException e) {
            log.debug("cannot read {}", state, e);
        } catch (IllegalArgumentException e) {
            log.debug("{}: {}", state, e.getMessage());
            t = new Tombstone(a.size(), mtime, false, -1, null); // read again only once it changes
        }
        tombstones.put(state, t);
        return t;
    }

    /**
     * The last {@code merged} line's toLayerIndex (0 without merges), or -1 while that merge is unfinished
     * (docs/layer-directory.md): the coalescing marker exists, or a file of its range is still there.
     */
    private int baseLevel(Scan s, String diskId, Path root, Path dir) {
        Path merged = dir.resolve(MERGED_FILE);
        if (Files.exists(coalescingMarker(dir), LinkOption.NOFOLLOW_LINKS)) {
            return -1;
        }
        if (!Files.exists(merged)) {
            return 0;
        }
        String text;
        try {
            text = Files.readString(merged, StandardCharsets.UTF_8);
        } catch (IOException e) {
            s.problem(diskId, root, merged, SourceErrorCodes.IO_ERROR, "cannot read " + merged + ": " + e, null);
            return -1;
        }
        List<LayerDirectoryLines.MergeLine> merges;
        try {
            merges = LayerDirectoryLines.MergeLine.parseAll(LayerDirectoryLines.completeLines(text));
        } catch (IllegalArgumentException e) {
            s.problem(diskId, root, merged, SourceErrorCodes.BROKEN_CHAIN, merged + ": " + e.getMessage(), null);
            return -1;
        }
        if (merges.isEmpty()) {
            return 0;
        }
        LayerDirectoryLines.MergeLine last = merges.get(merges.size() - 1);
        try {
            if (last.filesLeftIn(dir)) {
                return -1; // the merge has not deleted them yet
            }
        } catch (IOException e) {
            return -1;
        }
        return last.toIndex();
    }

    /** Changes whenever a merge starts or is recorded in a layer directory: compared before and after reading base.vhd. */
    static String mergeStamp(Path diskDir) {
        Path merged = diskDir.resolve(MERGED_FILE);
        try {
            return (Files.exists(coalescingMarker(diskDir), LinkOption.NOFOLLOW_LINKS) ? "busy|" : "idle|")
                    + (Files.exists(merged) ? Files.size(merged) : -1);
        } catch (IOException e) {
            return "unreadable|" + e;
        }
    }

    /** Present while a merge writes into base.vhd: the vhd engine's coalesce marker. */
    private static Path coalescingMarker(Path diskDir) {
        return CoalesceMarker.of(diskDir.resolve(BASE_FILE));
    }

    /** A sealed line's {@code key=value} field as a UUID, or {@code fallback}. */
    private static UUID uuidField(LayerDirectoryLines.SealedLine l, String key, UUID fallback) {
        String v = l.field(key);
        if (v == null) {
            return fallback;
        }
        try {
            return UUID.fromString(decodeOrRaw(v));
        } catch (IllegalArgumentException e) {
            return fallback;
        }
    }

    private static String decodeOrRaw(String s) {
        try {
            return NameEncoding.decode(s);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    // ---- foreign chains

    private void foreignChains(Scan s) {
        Map<Path, ImageInfo> nodes = new LinkedHashMap<>();
        Map<Path, Path> parentOf = new HashMap<>();
        for (Map.Entry<Path, Path> e : s.foreign.entrySet()) {
            ImageInfo info = info(s, e.getKey());
            if (info == null) {
                continue; // vanished since the walk
            }
            if (!info.valid()) {
                s.problem(null, e.getValue(), e.getKey(), code(info.error()), message(info.error()), info);
                continue;
            }
            nodes.put(e.getKey(), info);
        }
        Map<Path, List<Path>> children = new HashMap<>();
        // A worklist: a parent found through a locator may lie outside what the walk saw, and be differencing too.
        java.util.ArrayDeque<ImageInfo> work = new java.util.ArrayDeque<>(nodes.values());
        Set<Path> resolved = new HashSet<>();
        while (!work.isEmpty()) {
            ImageInfo child = work.poll();
            if (child.type() != DiskType.DIFFERENCING || !resolved.add(child.real())) {
                continue;
            }
            Path root = rootOf(s, child.real());
            int before = nodes.size();
            Path parent = resolveParent(s, child, root, nodes);
            if (nodes.size() > before && parent != null) {
                work.add(nodes.get(parent));
            }
            if (parent == null) {
                continue;
            }
            parentOf.put(child.real(), parent);
            children.computeIfAbsent(parent, k -> new ArrayList<>()).add(child.real());
        }
        // Cycles: a chain that never reaches a base.
        for (Path p : parentOf.keySet()) {
            Set<Path> seen = new HashSet<>();
            Path q = p;
            while (q != null && seen.add(q) && seen.size() <= MAX_CHAIN) {
                q = parentOf.get(q);
            }
            if (q != null) {
                ImageInfo info = nodes.get(p);
                s.problem(null, rootOf(s, p), p, SourceErrorCodes.BROKEN_CHAIN, p + ": its chain of parents loops or is deeper than "
                        + MAX_CHAIN, info);
            }
        }
        List<Path> bases = nodes.values().stream().filter(i -> i.type() != DiskType.DIFFERENCING).map(ImageInfo::real)
                .sorted().toList();
        for (Path base : bases) {
            ImageInfo bi = nodes.get(base);
            Path root = rootOf(s, base);
            String diskId = bi.uniqueId().toString();
            List<LayerRef> layers = new ArrayList<>();
            Path cur = base;
            Path baseDir = base.getParent();
            while (cur != null && layers.size() < MAX_CHAIN) {
                List<Path> kids = sorted(children.get(cur));
                ImageInfo ci = nodes.get(cur);
                boolean sealed = !kids.isEmpty();
                if (!sealed && !includeActiveLeaf) {
                    break;
                }
                layers.add(new LayerRef(cur, ci.uniqueId(), layers.isEmpty() ? null : ci.parentId(), layers.size(),
                        relativeSlash(baseDir, cur), ci.virtualSize(), ci.blockSize(), sealed, null));
                List<Path> sealedKids = kids.stream().filter(k -> children.containsKey(k)).toList();
                if (sealedKids.size() > 1) {
                    s.problem(diskId, root, cur, SourceErrorCodes.UNSUPPORTED_IMAGE, cur + " has several sealed children ("
                            + sealedKids + "): the chain branches; only the layers up to it are exported", ci);
                    break;
                }
                if (sealedKids.size() == 1) {
                    cur = sealedKids.get(0);
                } else {
                    cur = includeActiveLeaf && kids.size() == 1 ? kids.get(0) : null;
                }
            }
            if (layers.isEmpty()) {
                continue;
            }
            DiskChain other = s.disks.get(diskId);
            if (other != null) {
                s.problem(diskId, root, base, SourceErrorCodes.UNSUPPORTED_IMAGE, base + " has the same unique id as "
                        + other.layers().get(0).path() + " (a copy?); only the first is exported", bi);
                continue;
            }
            s.disks.put(diskId, new DiskChain(diskId, root, false, 0, layers, null));
        }
    }

    /** The parent's real path, or null after recording why there is none. */
    private Path resolveParent(Scan s, ImageInfo child, Path root, Map<Path, ImageInfo> nodes) {
        List<String> tried = new ArrayList<>();
        List<String> outside = new ArrayList<>();
        String mismatch = null;
        for (ParentResolver.Candidate c : child.candidates()) {
            tried.add(c.source() + " '" + c.text() + "'");
            if (c.path() == null || !Files.exists(c.path())) {
                continue;
            }
            Path real;
            try {
                real = c.path().toRealPath();
            } catch (IOException e) {
                continue;
            }
            if (s.realRoots.stream().noneMatch(real::startsWith)) {
                outside.add(real.toString());
                continue;
            }
            ImageInfo p = nodes.get(real);
            if (p == null) {
                p = info(s, real);
                if (p == null) {
                    continue;
                }
                if (p.valid()) {
                    nodes.put(real, p);
                    s.rootOfReal.putIfAbsent(real, root);
                }
            }
            if (!p.valid()) {
                mismatch = "parent " + real + " cannot be read: " + message(p.error());
                continue;
            }
            if (!p.uniqueId().equals(child.parentId())) {
                mismatch = "parent " + real + " has unique id " + p.uniqueId() + ", the child expects " + child.parentId();
                continue;
            }
            return real;
        }
        if (mismatch != null) {
            s.problem(null, root, child.real(), SourceErrorCodes.BROKEN_CHAIN, child.real() + ": " + mismatch, child);
        } else if (!outside.isEmpty()) {
            s.problem(null, root, child.real(), SourceErrorCodes.MISSING_PARENT, child.real() + ": parent " + outside
                    + " lies outside the connector's roots", child);
        } else {
            s.problem(null, root, child.real(), SourceErrorCodes.MISSING_PARENT, child.real() + ": parent " + child.parentId()
                    + " not found under the roots (tried " + (tried.isEmpty() ? "nothing: no locators, no parent name"
                    : String.join(", ", tried)) + ")", child);
        }
        return null;
    }

    // ---- image identity, cached

    /** @return null if the file no longer exists */
    private ImageInfo info(Scan s, Path file) {
        Path real;
        BasicFileAttributes a;
        try {
            real = file.toRealPath();
            a = Files.readAttributes(real, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
        s.touched.add(real);
        long mtime = a.lastModifiedTime().toMillis();
        ImageInfo cached = cache.get(real);
        if (cached != null && cached.size() == a.size() && cached.mtime() == mtime) {
            return cached;
        }
        ImageInfo info;
        try (VhdImage img = VhdImage.open(real, OpenOptions.READ)) {
            UUID parent = null;
            List<ParentResolver.Candidate> candidates = List.of();
            int blockSize = DynamicHeader.DEFAULT_BLOCK_SIZE;
            if (img instanceof SparseImage sp) {
                blockSize = Math.toIntExact(sp.blockSize()); // at most 1 GiB: ImageStructure refuses larger
                if (sp.differencing()) {
                    parent = sp.header().parentUniqueId();
                    candidates = ParentResolver.candidates(sp);
                }
            }
            info = new ImageInfo(real, a.size(), mtime, img.footer().uniqueId(), img.type(), parent, img.virtualSize(),
                    blockSize, candidates, null);
        } catch (IOException e) {
            log.debug("cannot open {}", real, e);
            info = new ImageInfo(real, a.size(), mtime, null, null, null, 0, 0, List.of(), e);
        } catch (RuntimeException e) {
            // A malformed image must never take the task down: treat whatever the parser threw as corruption.
            log.debug("cannot open {}", real, e);
            info = new ImageInfo(real, a.size(), mtime, null, null, null, 0, 0, List.of(),
                    new VhdException(ProblemCode.IO_ERROR, real + ": unreadable image: " + e, e));
        }
        cache.put(real, info);
        return info;
    }

    static String code(IOException e) {
        if (!(e instanceof VhdException v)) {
            return SourceErrorCodes.IO_ERROR;
        }
        return switch (v.code()) {
            case PARENT_NOT_FOUND, PARENT_OUTSIDE_ROOT -> SourceErrorCodes.MISSING_PARENT;
            case PARENT_ID_MISMATCH, PARENT_NOT_VHD, PARENT_NAME_MISMATCH, CHAIN_CYCLE, CHAIN_TOO_DEEP, CHAIN_SIZE_MISMATCH ->
                    SourceErrorCodes.BROKEN_CHAIN;
            case IO_ERROR, IMAGE_LOCKED, READ_ONLY -> v.getCause() instanceof RuntimeException
                    ? SourceErrorCodes.CORRUPT_IMAGE : SourceErrorCodes.IO_ERROR;
            case UNSUPPORTED -> SourceErrorCodes.UNSUPPORTED_IMAGE;
            default -> SourceErrorCodes.CORRUPT_IMAGE;
        };
    }

    static String message(IOException e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static Path rootOf(Scan s, Path real) {
        Path r = s.rootOfReal.get(real);
        if (r != null) {
            return r;
        }
        return s.realRoots.stream().filter(real::startsWith).findFirst().orElse(real.getParent());
    }

    private static List<Path> sorted(List<Path> l) {
        if (l == null) {
            return List.of();
        }
        List<Path> out = new ArrayList<>(l);
        out.sort(Comparator.naturalOrder());
        return out;
    }

    static String relative(Path root, Path file) {
        try {
            Path r = root.toRealPath();
            Path f = file.toAbsolutePath().normalize();
            try {
                f = file.toRealPath();
            } catch (IOException e) {
                // keep the lexical path
            }
            if (f.startsWith(r)) {
                return slash(r.relativize(f));
            }
            Path ra = root.toAbsolutePath().normalize();
            if (f.startsWith(ra)) {
                return slash(ra.relativize(f));
            }
        } catch (IOException e) {
            // the root itself is gone: fall through
        }
        return slash(file);
    }

    private static String relativeSlash(Path dir, Path file) {
        return slash(dir.relativize(file));
    }

    private static String slash(Path p) {
        return p.toString().replace(p.getFileSystem().getSeparator(), "/");
    }
}
