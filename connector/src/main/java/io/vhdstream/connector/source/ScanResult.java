package io.vhdstream.connector.source;

import java.util.List;
import java.util.Map;

/** What one scan of the roots found: disks by id (sorted), and problems confirmed by two scans in a row. */
public record ScanResult(Map<String, DiskChain> disks, List<ScanProblem> problems) {
}
