package io.vhdstream.topology.disk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads a disk from its directory as its owner: reads {@code state}, {@code sealed} and {@code merged} (torn last lines
 * cut off), checks that the files they name are there, and finishes what a crash interrupted (temporaries removed, a
 * deleted disk's layers removed, the active layer renamed and cut back to its mark, the last merge redone).
 */
final class DiskLoader {
    private DiskLoader() {
    }

    /** The disk in {@code dir}; one without {@code state} (no disk) has a null state and nothing is changed. */
    static Disk load(String id, Path dir, RecoveryMarks marks) throws IOException {
        Disk d = new Disk(id, dir);
        Path stateFile = dir.resolve(LayerNames.STATE);
        if (!Files.exists(stateFile)) {
            return d;
        }
        DiskState st = DiskState.read(stateFile);
        if (!st.diskId().equals(id)) {
            throw new LayerDirectoryException(stateFile + ": belongs to disk '" + st.diskId() + "', not '" + id + "'");
        }
        d.state = st;
        SealedLayer.cutTornTail(dir.resolve(LayerNames.SEALED));
        d.sealed.addAll(SealedLayer.readAll(dir.resolve(LayerNames.SEALED)));
        SealedLayer.cutTornTail(dir.resolve(MergeRecord.FILE));
        d.merges.addAll(MergeRecord.readAll(dir.resolve(MergeRecord.FILE)));
        if (d.level() >= Math.max(1, d.sealed.size())) {
            throw new LayerDirectoryException(dir + ": " + MergeRecord.FILE + " merges layer " + d.level()
                    + " but only " + d.sealed.size() + " layers are sealed");
        }
        LayerFiles.deleteTmpFiles(dir);
        if (st.deleted()) {
            LayerFiles.removeLayerFiles(dir);
            return d;
        }
        for (SealedLayer s : d.sealed) {
            if (s.layerIndex() > d.level() && !Files.exists(dir.resolve(s.fileName()))) {
                throw new LayerDirectoryException(dir + ": sealed layer " + s.fileName() + " is missing");
            }
        }
        if (!Files.exists(dir.resolve(LayerNames.BASE))) {
            throw new LayerDirectoryException(dir + ": " + LayerNames.BASE + " is missing");
        }
        LayerFiles.nameActiveLayer(d);
        marks.cutBack(d);
        if (!d.merges.isEmpty()) {
            // The journal's last merge may have been cut short; redoing a finished one only finds its files gone.
            LayerMerger.run(dir, d.sealed, d.merges.get(d.merges.size() - 1), d.activeName());
        }
        return d;
    }
}
