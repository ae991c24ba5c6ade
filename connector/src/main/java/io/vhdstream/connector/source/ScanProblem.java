package io.vhdstream.connector.source;

/**
 * A file under a root that cannot be exported.
 *
 * @param diskId      the disk it belongs to, or null when that cannot be told
 * @param path        the file's path relative to its root, '/'-separated (the root itself: "")
 * @param reasonCode  one of {@code SourceErrorCodes}
 * @param fingerprint identifies this problem with this version of the file (path, size, time, code): a
 *                    problem is reported once per fingerprint
 */
public record ScanProblem(String diskId, String root, String path, String reasonCode, String message, String fingerprint) {
}
