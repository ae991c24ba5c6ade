package io.vhdstream.topology.disk;

import io.vhdstream.schemas.ContentDigest;
import io.vhdstream.schemas.Limits;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.image.VhdImage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * Sealing a disk's active layer: the {@code sealed} line that describes it (what its {@code LayerSealed} event says,
 * its content digest included), then the durable steps that make it sealed (renamed to its sealed name, the line
 * appended and fsynced).
 */
final class LayerSeal {
    private static final int DIGEST_CHUNK = 1 << 20;

    private LayerSeal() {
    }

    /** The line of the disk's active layer {@code img} (synced), sealed by Snapshot {@code snap} at {@code pos}. */
    static SealedLayer describe(Disk d, VhdImage img, String snap, String label, Position pos) throws IOException {
        int n = d.sealed.size();
        ContentDigest digest = new ContentDigest();
        long sectors = 0;
        List<Extent> extents = img.presentExtents();
        ByteBuffer buf = ByteBuffer.allocate(DIGEST_CHUNK);
        for (Extent e : extents) {
            for (long at = e.offset(); at < e.end(); ) {
                int k = (int) Math.min(DIGEST_CHUNK, e.end() - at);
                buf.clear().limit(k);
                img.readPresent(at, buf);
                digest.data(at, buf.array(), 0, k);
                at += k;
            }
            sectors += e.length() / Limits.SECTOR;
        }
        UUID layerId = img.footer().uniqueId();
        // The previous layer in chain order, whether or not a merge has since put its content into the base (and the
        // header names the base): a seal replayed onto a base loaded from the checkpoint records what the first did.
        UUID parentId = n == 0 ? null : d.sealed.get(n - 1).layerUniqueId();
        return new SealedLayer(n, LayerNames.sealedFile(n, snap), snap, pos.offset(), d.activeFromOffset(), pos.timestamp(),
                layerId, parentId, sectors, img.file().size(), digest.finish(), label);
    }

    /** Seals the disk's active layer (closed) as {@code s} says: renamed, then its line appended durably. */
    static void record(Disk d, SealedLayer s) throws IOException {
        String name = d.activeName();
        if (!s.fileName().equals(name)) {
            // Renamed before its sealed line: a crash in between leaves NNNN@x.vhd unsealed, renamed back on load.
            // It has no child yet, so no parent locator names the old name.
            FileOps.moveIntoPlace(d.dir.resolve(name), d.dir.resolve(s.fileName()));
        }
        FileOps.appendDurably(d.dir.resolve(LayerNames.SEALED), s.toLine().getBytes(StandardCharsets.UTF_8));
        d.sealed.add(s);
    }
}
