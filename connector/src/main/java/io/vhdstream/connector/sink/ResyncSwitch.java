package io.vhdstream.connector.sink;

import io.vhdstream.vhd.io.Directories;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** The switch of a replica's chain to a resynced base sealed in its staging directory (docs/layer-directory.md). */
final class ResyncSwitch {
    private ResyncSwitch() {
    }

    /**
     * The file steps of a switch, each idempotent, so that a crash anywhere is finished by running them again: every
     * file of the old chain deleted (the new base's names excepted), the new base's file then its manifest moved in,
     * the staging directory removed.
     */
    static void finish(Path diskDir, LayerManifest base) throws IOException {
        Path stageDir = diskDir.resolve(ReplicaStore.RESYNC_DIR);
        String vhd = base.replicaFile();
        String manifest = ReplicaNames.stem(vhd) + LayerManifest.SUFFIX;
        List<Path> old = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(diskDir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (Files.isRegularFile(p) && !n.equals(vhd) && !n.equals(manifest)) {
                    old.add(p);
                }
            }
        }
        for (Path p : old) {
            Files.deleteIfExists(p);
        }
        Directories.fsync(diskDir);
        if (Files.exists(stageDir.resolve(vhd))) {
            Files.move(stageDir.resolve(vhd), diskDir.resolve(vhd), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Directories.fsync(diskDir);
        }
        if (Files.exists(stageDir.resolve(manifest))) {
            Files.move(stageDir.resolve(manifest), diskDir.resolve(manifest), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            Directories.fsync(diskDir);
        }
        Directories.deleteTree(stageDir);
        Directories.fsync(diskDir);
    }
}
