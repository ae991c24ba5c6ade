package io.vhdstream.connector.source;

import io.vhdstream.connector.convert.RecordFormat;
import io.vhdstream.connector.metrics.TaskMetrics;
import io.vhdstream.connector.offset.LayerOffset;
import io.vhdstream.schemas.LayerDigest;
import io.vhdstream.schemas.block.ChangedBlock;
import io.vhdstream.schemas.block.EndOfLayer;
import io.vhdstream.schemas.block.Resync;
import io.vhdstream.schemas.block.StartOfLayer;
import io.vhdstream.schemas.block.ZeroExtent;
import io.vhdstream.schemas.common.Sha256s;
import io.vhdstream.schemas.common.Uuid;
import io.vhdstream.schemas.common.Uuids;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One layer being emitted: its pieces, read ahead, as StartOfLayer, ChangedBlock/ZeroExtent and EndOfLayer records,
 * each with the disk's offset after it. The caller makes {@link #offset} the disk's progress after each batch.
 */
final class LayerJob {
    private static final Logger log = LoggerFactory.getLogger(VhdSourceTask.class); // the task's lines, as before
    /** Poll cost charged for a ZeroExtent, so that long zero runs still end a batch. */
    private static final int ZERO_RECORD_COST = 64 * 1024;
    /** Data read ahead of the worker per task (a chunk at least, two at least). */
    private static final long PREFETCH_BYTES = 8L << 20;

    final SourceDisk disk;
    final LayerRef layer;
    private final String task;
    private final EventRecords records;
    private final TaskMetrics.Counter layersStarted;
    private final Prefetcher reader;
    private final Uuid layerId;
    private final Uuid parentId;
    LayerOffset offset;
    private boolean startPending;
    boolean done;
    String emitted; // the log line for the layer, once done
    private final String mergeStamp; // a layer directory's base: the merge state when reading began
    Resync resync; // set on a base sent as a full resync

    LayerJob(String task, EventRecords records, TaskMetrics.Counter layersStarted, SourceDisk disk, LayerRef layer,
             LayerOffset offset, LayerReader reader, boolean startPending) {
        this.task = task;
        this.records = records;
        this.layersStarted = layersStarted;
        this.disk = disk;
        this.layer = layer;
        this.offset = offset;
        int depth = (int) Math.max(2, Math.min(32, PREFETCH_BYTES / offset.chunkSize()));
        this.reader = new Prefetcher(reader, depth, task + "-read-" + layer.index());
        this.startPending = startPending;
        this.mergeStamp = layer.index() == 0 && disk.chain.layerDirectory() ? RootScanner.mergeStamp(layer.path().getParent()) : null;
        this.layerId = Uuids.of(layer.uniqueId());
        this.parentId = layer.parentUniqueId() == null ? null : Uuids.of(layer.parentUniqueId());
        if (layer.index() == 0 && offset.base() > 0) {
            // A base holding merged layers is only ever sent as a resync (LayerChoice.resync says why; this covers a restart).
            this.resync = new Resync(offset.base(), 1, "the base, which holds layers 1.." + offset.base() + ", is sent again");
        }
    }

    /** Adds at least one record; returns the data bytes added. */
    long poll(List<SourceRecord> out, int budget) throws IOException, InterruptedException {
        String id = disk.diskId;
        if (startPending) {
            startPending = false;
            layersStarted.increment();
            out.add(records.event(disk, offset, new StartOfLayer(id, layerId, parentId, layer.index(), layer.layerFile(),
                    layer.virtualSize(), layer.blockSize(), layer.snapshotId(), resync)));
        }
        long cost = 0;
        long sent = 0;
        while (cost < budget) {
            LayerReader.Piece piece = reader.next();
            if (piece == null) {
                if (mergeStamp != null && !mergeStamp.equals(RootScanner.mergeStamp(layer.path().getParent()))) {
                    // Retention coalesced into base.vhd while it was read: what was read may mix two snapshots.
                    throw new MergedWhileRead();
                }
                LayerDigest.Summary sum = reader.finish();
                offset = offset.completed();
                SourceRecord end = records.event(disk, offset, new EndOfLayer(id, layerId, parentId, layer.index(),
                        layer.layerFile(), layer.virtualSize(), sum.extentCount(), sum.bytes(), Sha256s.of(sum.recordsSha256()),
                        Sha256s.of(sum.contentSha256())));
                out.add(end);
                done = true;
                emitted = task + ": disk " + id + ": emitted layer " + layer.index() + " (" + layer.uniqueId() + "): "
                        + sum.extentCount() + " records, " + sum.bytes() + " bytes";
                break;
            }
            long extentIndex = offset.nextExtent();
            offset = offset.after(piece.end());
            if (piece instanceof LayerReader.Data data) {
                if (records.format() == RecordFormat.AVRO) {
                    data.frame().putSha256(data.sha256());
                    out.add(records.framed(disk, offset, data.frame().array()));
                } else {
                    out.add(records.event(disk, offset, new ChangedBlock(id, layerId, parentId, layer.index(), extentIndex,
                            data.offset(), data.length(), ByteBuffer.wrap(data.data()), Sha256s.of(data.sha256()))));
                }
                cost += data.length();
                sent += data.length();
            } else {
                out.add(records.event(disk, offset, new ZeroExtent(id, layerId, parentId, layer.index(), extentIndex,
                        piece.offset(), piece.length())));
                cost += ZERO_RECORD_COST;
            }
        }
        return sent;
    }

    /** Stops reading ahead and closes the layer file. */
    void close() {
        closeQuietly(reader);
    }

    static void closeQuietly(Closeable r) {
        try {
            r.close();
        } catch (IOException e) {
            log.debug("close", e);
        }
    }

    /** Retention coalesced into the base while it was read. */
    static final class MergedWhileRead extends IOException {
        private static final long serialVersionUID = 1L;
    }
}
