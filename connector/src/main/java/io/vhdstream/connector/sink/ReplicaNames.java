package io.vhdstream.connector.sink;

import io.vhdstream.schemas.common.NameEncoding;

import java.util.UUID;

/** The names of a replica layer's files: {@code <stem>.vhd}, {@code <stem>.manifest}, {@code <stem>.records}. */
final class ReplicaNames {
    private ReplicaNames() {
    }

    /**
     * A replica layer's file stem: {@code NNNN@<snapshot>-<source layer id>} (the snapshot percent-encoded as in
     * layer directories, cut to 100 bytes), or {@code NNNN-<source layer id>} without a snapshot id. The source
     * layer id keeps the name unique when a disk is re-created with the same snapshot ids.
     */
    static String stem(int index, String snapshotId, UUID sourceLayer) {
        if (snapshotId == null || snapshotId.isEmpty()) {
            return String.format("%04d-%s", index, sourceLayer);
        }
        return String.format("%04d@%s-%s", index, NameEncoding.cut(NameEncoding.encode(snapshotId), 100), sourceLayer);
    }

    /** The stem of one of a layer's files: its name without the extension. */
    static String stem(String file) {
        int dot = file.lastIndexOf('.');
        return dot < 0 ? file : file.substring(0, dot);
    }
}
