package io.vhdstream.topology.support;

import io.vhdstream.schemas.ContentDigest;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Snapshot;
import io.vhdstream.schemas.command.Trim;
import io.vhdstream.schemas.command.Write;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a disk must read as, computed without any VHD code: a byte array per disk, a copy per snapshot, and
 * the sectors each layer was written or trimmed in (for present-sector and digest expectations).
 */
public final class DiskModel {
    private final String diskId;
    private final byte[] content;
    private final Map<String, byte[]> snapshots = new LinkedHashMap<>();
    private final List<BitSet> layerSectors = new ArrayList<>();
    private final List<byte[]> layerContent = new ArrayList<>();

    public DiskModel(String diskId, long size) {
        this.diskId = diskId;
        this.content = new byte[Math.toIntExact(size)];
        layerSectors.add(new BitSet());
    }

    public String diskId() {
        return diskId;
    }

    /** Applies a valid command (the caller knows it is valid). */
    public void apply(DiskCommand c) {
        Object p = c.getPayload();
        if (p instanceof Write w) {
            ByteBuffer d = w.getData().duplicate();
            int off = Math.toIntExact(w.getOffset());
            int len = d.remaining();
            d.get(content, off, len);
            current().set(off / 512, (off + len) / 512);
        } else if (p instanceof Trim t) {
            int off = Math.toIntExact(t.getOffset());
            int len = Math.toIntExact(t.getLength());
            Arrays.fill(content, off, off + len, (byte) 0);
            if (layerSectors.size() == 1) {
                // the base layer zeroes only sectors it holds
            } else {
                current().set(off / 512, (off + len) / 512);
            }
        } else if (p instanceof Snapshot s) {
            byte[] copy = content.clone();
            snapshots.put(s.getSnapshotId(), copy);
            layerContent.add(copy);
            layerSectors.add(new BitSet());
        }
    }

    private BitSet current() {
        return layerSectors.get(layerSectors.size() - 1);
    }

    public byte[] content() {
        return content;
    }

    public byte[] snapshot(String id) {
        return snapshots.get(id);
    }

    public List<String> snapshotIds() {
        return List.copyOf(snapshots.keySet());
    }

    /** Sectors present in a layer as the model sees them. */
    public BitSet presentSectors(int layer) {
        return layerSectors.get(layer);
    }

    /** The content digest of sealed layer {@code layer}, from the model (present sectors and their bytes). */
    public byte[] expectedDigest(int layer) {
        BitSet present = layerSectors.get(layer);
        byte[] bytes = layerContent.get(layer);
        ContentDigest d = new ContentDigest();
        for (int s = present.nextSetBit(0); s >= 0; ) {
            int e = present.nextClearBit(s);
            d.data((long) s * 512, bytes, s * 512, (e - s) * 512);
            s = present.nextSetBit(e);
        }
        return d.finish();
    }
}
