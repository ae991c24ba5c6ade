package io.vhdstream.connector.sink;

import io.vhdstream.vhd.io.Directories;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import java.util.UUID;

/**
 * The sidecar of one replica layer ({@code NNNN@<snapshot>-<source layer id>.manifest}, or
 * {@code NNNN-<source layer id>.manifest} for a layer without a snapshot id, a properties file): which source
 * layer the replica file holds and how far it got. Replaced atomically (write, fsync, rename).
 *
 * <pre>
 * source.layer=5b9c0c7e-...        the source layer's VHD unique id (records name it)
 * source.parent=1f0e...            its parent's, empty for a base
 * layer.index=2
 * source.file=0002-snap2.vhd       the source layer's file, relative to its disk directory
 * virtual.size=1073741824
 * block.size=2097152
 * snapshot.id=snap2                the snapshot the layer captures (absent for foreign chains)
 * replica.file=0002@snap2-5b9c0c7e-....vhd
 * replica.unique.id=77aa...        the replica file's own VHD unique id
 * state=WRITING | SEALED | FAILED | MERGED   MERGED: retention folded it into the base, its file is gone
 * failure=...                      why, when FAILED
 * extent.count, bytes, records.sha256, content.sha256   the verified EndOfLayer values, when SEALED
 * base.level=3                     a base: the source layers merged into it (1..3), so it reads as layer 3's
 *                                  snapshot; absent: 0 (older manifests: the highest MERGED layer says it)
 * </pre>
 */
record LayerManifest(UUID sourceLayer, UUID sourceParent, int layerIndex, String sourceFile, long virtualSize,
                     long blockSize, String replicaFile, UUID replicaUniqueId, State state, String failure,
                     long extentCount, long bytes, String recordsSha256, String contentSha256, String snapshotId,
                     int baseLevel) {

    enum State { WRITING, SEALED, FAILED, MERGED }

    static final String SUFFIX = ".manifest";

    LayerManifest withState(State s, String why) {
        return new LayerManifest(sourceLayer, sourceParent, layerIndex, sourceFile, virtualSize, blockSize, replicaFile,
                replicaUniqueId, s, why, extentCount, bytes, recordsSha256, contentSha256, snapshotId, baseLevel);
    }

    LayerManifest sealed(long extents, long nbytes, String recordsSha, String contentSha) {
        return new LayerManifest(sourceLayer, sourceParent, layerIndex, sourceFile, virtualSize, blockSize, replicaFile,
                replicaUniqueId, State.SEALED, null, extents, nbytes, recordsSha, contentSha, snapshotId, baseLevel);
    }

    /** The same layer, its content merged into the base (it keeps its verified values). */
    LayerManifest merged() {
        return new LayerManifest(sourceLayer, sourceParent, layerIndex, sourceFile, virtualSize, blockSize, replicaFile,
                replicaUniqueId, State.MERGED, null, extentCount, bytes, recordsSha256, contentSha256, snapshotId, baseLevel);
    }

    /** The same base, now holding snapshot {@code snapshot}: retention merged the layers up to {@code level} into it. */
    LayerManifest holding(String snapshot, int level) {
        return new LayerManifest(sourceLayer, sourceParent, layerIndex, sourceFile, virtualSize, blockSize, replicaFile,
                replicaUniqueId, state, failure, extentCount, bytes, recordsSha256, contentSha256, snapshot, level);
    }

    void write(Path path) throws IOException {
        Properties p = new Properties();
        p.setProperty("source.layer", sourceLayer.toString());
        p.setProperty("source.parent", sourceParent == null ? "" : sourceParent.toString());
        p.setProperty("layer.index", Integer.toString(layerIndex));
        p.setProperty("source.file", sourceFile);
        p.setProperty("virtual.size", Long.toString(virtualSize));
        p.setProperty("block.size", Long.toString(blockSize));
        if (snapshotId != null) {
            p.setProperty("snapshot.id", snapshotId);
        }
        p.setProperty("replica.file", replicaFile);
        p.setProperty("replica.unique.id", replicaUniqueId.toString());
        p.setProperty("state", state.name());
        if (failure != null) {
            p.setProperty("failure", failure);
        }
        if (state == State.SEALED || state == State.MERGED) {
            p.setProperty("extent.count", Long.toString(extentCount));
            p.setProperty("bytes", Long.toString(bytes));
            p.setProperty("records.sha256", recordsSha256);
            p.setProperty("content.sha256", contentSha256);
        }
        if (baseLevel > 0) {
            p.setProperty("base.level", Integer.toString(baseLevel));
        }
        StringWriter sw = new StringWriter();
        p.store(sw, "vhdstream replica layer");
        atomicWrite(path, sw.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Replaces {@code path} with {@code content}: written under a temporary name, fsynced, renamed, directory fsynced. */
    static void atomicWrite(Path path, byte[] content) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Directories.fsync(path.getParent());
    }

    static LayerManifest read(Path path) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.ISO_8859_1)) {
            p.load(r);
        }
        try {
            String parent = p.getProperty("source.parent", "");
            State state = State.valueOf(req(p, "state"));
            return new LayerManifest(UUID.fromString(req(p, "source.layer")), parent.isEmpty() ? null : UUID.fromString(parent),
                    Integer.parseInt(req(p, "layer.index")), p.getProperty("source.file", ""),
                    Long.parseLong(req(p, "virtual.size")), Long.parseLong(req(p, "block.size")), req(p, "replica.file"),
                    UUID.fromString(req(p, "replica.unique.id")), state, p.getProperty("failure"),
                    Long.parseLong(p.getProperty("extent.count", "0")), Long.parseLong(p.getProperty("bytes", "0")),
                    p.getProperty("records.sha256", ""), p.getProperty("content.sha256", ""), p.getProperty("snapshot.id"),
                    Integer.parseInt(p.getProperty("base.level", "0")));
        } catch (IllegalArgumentException e) {
            throw new IOException(path + " is not a valid replica manifest: " + e.getMessage(), e);
        }
    }

    private static String req(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        return v;
    }
}
