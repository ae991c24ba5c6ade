package io.vhdstream.connector.sink;

import io.vhdstream.schemas.common.NameEncoding;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.UUID;

/**
 * The journal of a replica merge ({@value #FILE} in the disk's replica directory): written (atomically) before the merge
 * touches a file, removed once the manifests record it, redone when the disk is next loaded if it is still there.
 *
 * @param base     the source unique id of the replica's base
 * @param to       the highest layer index merged into it
 * @param snapshot the snapshot the base holds afterwards, null if unknown
 */
record MergeJournal(UUID base, int to, String snapshot) {
    static final String FILE = "merge.pending";

    void write(Path diskDir) throws IOException {
        LayerManifest.atomicWrite(diskDir.resolve(FILE), ("base=" + base + "\nto=" + to + "\nsnapshot="
                + (snapshot == null ? "" : NameEncoding.encode(snapshot)) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** @return null when no merge is pending */
    static MergeJournal read(Path diskDir) throws IOException {
        Path journal = diskDir.resolve(FILE);
        if (!Files.exists(journal)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(journal, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        try {
            String snapshot = p.getProperty("snapshot", "");
            return new MergeJournal(UUID.fromString(p.getProperty("base", "")), Integer.parseInt(p.getProperty("to", "")),
                    snapshot.isEmpty() ? null : NameEncoding.decode(snapshot));
        } catch (IllegalArgumentException e) {
            throw new IOException(journal + " is not a valid merge journal: " + e.getMessage(), e);
        }
    }

    static void delete(Path diskDir) throws IOException {
        Files.deleteIfExists(diskDir.resolve(FILE));
    }
}
