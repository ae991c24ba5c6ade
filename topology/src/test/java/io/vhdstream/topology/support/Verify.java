package io.vhdstream.topology.support;

import io.vhdstream.schemas.common.Uuids;
import io.vhdstream.schemas.layer.LayerEvent;
import io.vhdstream.schemas.layer.LayerSealed;
import io.vhdstream.vhd.image.VhdImage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks materialised layer directories and their events against the models. */
public final class Verify {
    private Verify() {
    }

    /**
     * Every disk: exactly one LayerSealed per model snapshot, in order; each sealed layer passes the checker,
     * reads (through its chain) exactly like the model at that snapshot, and matches its event (digest and
     * present sectors recomputed from the file, unique and parent ids from the file).
     */
    public static void layersMatchModels(Path layersDir, Scenario scenario, List<LayerEvent> events) throws Exception {
        layersMatchModels(layersDir, scenario, events, false);
    }

    /**
     * @param baseFromCheckpoint base.vhd was put together from the checkpoint topic: same content, but its blocks
     *                           may lie elsewhere in the file, so its size is not compared with the event's
     */
    public static void layersMatchModels(Path layersDir, Scenario scenario, List<LayerEvent> events,
                                         boolean baseFromCheckpoint) throws Exception {
        for (DiskModel model : scenario.models.values()) {
            String disk = model.diskId();
            List<LayerSealed> sealed = LayerEvents.sealed(events, disk);
            assertEquals(model.snapshotIds(), sealed.stream().map(LayerSealed::getSnapshotId).toList(),
                    "snapshots of " + disk + " (each exactly once, in order)");
            Path dir = layersDir.resolve(disk);
            UUID parent = null;
            for (int i = 0; i < sealed.size(); i++) {
                LayerSealed s = sealed.get(i);
                assertEquals(i, s.getLayerIndex());
                Path layer = dir.resolve(s.getLayerFile());
                assertTrue(Files.exists(layer), layer + " exists");
                Layers.assertClean(layer);
                Layers.assertSameContent(model.snapshot(s.getSnapshotId()), Layers.read(layer),
                        disk + " at " + s.getSnapshotId());
                assertArrayEquals(Layers.digest(layer), s.getContentSha256().bytes(), "digest of " + layer);
                assertEquals(Layers.presentSectors(layer), s.getPresentSectors(), "present sectors of " + layer);
                if (!(baseFromCheckpoint && i == 0)) {
                    assertEquals(Files.size(layer), s.getFileSize(), "size of " + layer);
                }
                try (VhdImage img = VhdImage.open(layer)) {
                    assertEquals(img.footer().uniqueId(), Uuids.toUuid(s.getLayerUniqueId()));
                }
                assertEquals(parent, s.getParentUniqueId() == null ? null : Uuids.toUuid(s.getParentUniqueId()));
                parent = Uuids.toUuid(s.getLayerUniqueId());
            }
        }
    }
}
