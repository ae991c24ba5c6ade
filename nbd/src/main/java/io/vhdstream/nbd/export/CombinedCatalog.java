package io.vhdstream.nbd.export;

import io.vhdstream.nbd.journal.JournaledDisk;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The read-write disks by their ids, then the read-only snapshots ({@code DISK@SNAPSHOT}). */
public final class CombinedCatalog implements ExportCatalog {
    private final Map<String, JournaledDisk> disks;
    private final ExportCatalog snapshots;

    public CombinedCatalog(Map<String, JournaledDisk> disks, ExportCatalog snapshots) {
        this.disks = Map.copyOf(disks);
        this.snapshots = snapshots;
    }

    @Override
    public Export open(String name) throws IOException {
        JournaledDisk d = disks.get(name);
        return d != null ? new DiskExport(d) : snapshots.open(name);
    }

    @Override
    public List<String> names(int max) throws IOException {
        List<String> out = new ArrayList<>(disks.keySet().stream().sorted().limit(max).toList());
        out.addAll(snapshots.names(max - out.size()));
        return out;
    }
}
