package io.vhdstream.connector.source;

import java.util.List;
import java.util.Map;

/**
 * What one scan of the roots found: disks by id (sorted), the disks deleted at the source (layer directories holding a
 * tombstone), and problems confirmed by two scans in a row.
 */
public record ScanResult(Map<String, DiskChain> disks, Map<String, DeletedDisk> deleted, List<ScanProblem> problems) {
    public ScanResult(Map<String, DiskChain> disks, List<ScanProblem> problems) {
        this(disks, Map.of(), problems);
    }
}
