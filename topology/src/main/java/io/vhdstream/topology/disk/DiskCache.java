package io.vhdstream.topology.disk;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.Function;

/**
 * The disks loaded in memory, least recently used first: those that exist only (any id may be sent, so an id without
 * a disk is never kept), at most {@link #CACHED_DISKS} beyond the ones with an open active layer. An evicted disk is
 * loaded again from its directory when a command needs it, and keeps its recovery mark meanwhile.
 */
final class DiskCache {
    /** Closed disks kept loaded beyond the open ones: loading one again reads two small files. */
    static final int CACHED_DISKS = 1024;

    private final Function<String, Path> dirOf;
    private final RecoveryMarks marks;
    private final ActiveLayers active;
    private final LinkedHashMap<String, Disk> disks = new LinkedHashMap<>(16, 0.75f, true);

    DiskCache(Function<String, Path> dirOf, RecoveryMarks marks, ActiveLayers active) {
        this.dirOf = dirOf;
        this.marks = marks;
        this.active = active;
    }

    /** The disk, from the cache or its directory ({@link DiskLoader}). */
    Disk get(String id) throws IOException {
        Disk d = disks.get(id);
        if (d == null) {
            d = DiskLoader.load(id, dirOf.apply(id), marks);
            if (d.state != null) {
                put(d);
            }
        }
        return d;
    }

    /** Keeps a disk that exists (just loaded or created), evicting the least recently used closed ones past the bound. */
    void put(Disk d) throws IOException {
        disks.put(d.id, d);
        if (disks.size() > CACHED_DISKS + active.count()) {
            Iterator<Disk> it = disks.values().iterator();
            while (it.hasNext() && disks.size() > CACHED_DISKS + active.count()) {
                Disk e = it.next();
                if (e.active == null) {
                    marks.evicted(e);
                    it.remove();
                }
            }
        }
    }

    Collection<Disk> loaded() {
        return disks.values();
    }

    int size() {
        return disks.size();
    }

    void clear() {
        disks.clear();
    }
}
