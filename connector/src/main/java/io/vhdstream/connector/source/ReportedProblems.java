package io.vhdstream.connector.source;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which problems the task has reported, so that each is reported once while it lasts, in memory bounded by what is
 * wrong now rather than by everything that ever was (issue 9.7: a file rewritten broken again and again, or disks that
 * come and go, would otherwise grow the set for as long as the task runs). A scan's problems are remembered until a
 * scan no longer finds them (one that comes back is reported again); a disk's read problem until the disk has
 * another of the same kind.
 */
final class ReportedProblems {
    private Set<String> lastScan = new HashSet<>();
    private Set<String> thisScan;
    private final Map<String, String> byDisk = new HashMap<>();

    /** Starts a scan: its problems are compared with the previous scan's. */
    void scanStarted() {
        thisScan = new HashSet<>();
    }

    /** A problem the scan found: true the first time (not found by the previous scan either). */
    boolean foundByScan(String fingerprint) {
        thisScan.add(fingerprint);
        return !lastScan.contains(fingerprint);
    }

    /** Ends the scan: problems it did not find are forgotten. */
    void scanEnded() {
        lastScan = thisScan;
        thisScan = null;
    }

    /** A problem of {@code diskId} of a kind (e.g. "read"): true unless it is the one last reported for both. */
    boolean forDisk(String diskId, String kind, String fingerprint) {
        return !fingerprint.equals(byDisk.put(kind + "|" + diskId, fingerprint));
    }

    /** Forgets the problems of a disk that is gone. */
    void forgetDisk(String diskId) {
        byDisk.keySet().removeIf(k -> k.endsWith("|" + diskId));
    }

    /** How many problems are remembered (tests: bounded). */
    int size() {
        return lastScan.size() + byDisk.size();
    }
}
