package io.vhdstream.nbd;

import io.vhdstream.nbd.export.Export;
import io.vhdstream.nbd.export.ExportCatalog;
import io.vhdstream.nbd.export.SnapshotCatalog;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.MergeRecord;
import io.vhdstream.topology.disk.Retention;
import io.vhdstream.topology.disk.SealedLayer;
import io.vhdstream.vhd.coalesce.CoalesceMarker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshot exports of a directory whose last retention merge is unfinished (a crash left a file of its range, or the
 * engine's coalescing marker): nothing is opened through base.vhd until the merge is done. The directory is made by
 * the topology's own code; the crash is staged by putting back what a finished merge removed.
 */
class SnapshotCatalogTest {
    @TempDir
    Path tmp;

    @Test
    void aKeptSnapshotIsRefusedWhileTheLastMergeIsUnfinished() throws Exception {
        LayerFixture.build(tmp, "vm-3", 4, 5, 3, new Retention(2, Retention.DEFAULT_MAX_AGE_MS));
        Path dir = tmp.resolve(LayerNames.diskDir("vm-3"));
        List<MergeRecord> merges = MergeRecord.readAll(dir.resolve(MergeRecord.FILE));
        assertTrue(!merges.isEmpty(), "no merge happened");
        MergeRecord last = merges.get(merges.size() - 1);
        List<SealedLayer> sealed = SealedLayer.readAll(dir.resolve(LayerNames.SEALED));
        String kept = sealed.get(sealed.size() - 1).snapshotId();
        ExportCatalog catalog = new SnapshotCatalog(List.of(tmp));
        openAndClose(catalog, "vm-3@" + kept);

        Path leftover = dir.resolve(sealed.get(last.toIndex()).fileName());
        Files.writeString(leftover, "not deleted yet");
        IOException e = assertThrows(IOException.class, () -> catalog.open("vm-3@" + kept));
        assertTrue(e.getMessage().contains("a retention merge is rewriting"), e.getMessage());
        Files.delete(leftover);

        Path marker = CoalesceMarker.of(dir.resolve(LayerNames.BASE));
        Files.writeString(marker, "");
        e = assertThrows(IOException.class, () -> catalog.open("vm-3@" + kept));
        assertTrue(e.getMessage().contains("a retention merge is rewriting"), e.getMessage());
        Files.delete(marker);

        openAndClose(catalog, "vm-3@" + kept);
    }

    private static void openAndClose(ExportCatalog catalog, String name) throws Exception {
        Export e = catalog.open(name);
        assertEquals(name, e.name());
        e.close();
    }
}
