package io.vhdstream.topology.disk;

import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * The disks whose active layer is open, at most {@code maxOpen} (the least recently used is synced and closed to make
 * room), and the {@link LayerWriter} that puts Write data into them in the background.
 */
final class ActiveLayers implements Closeable {
    private static final AtomicInteger WRITERS = new AtomicInteger();

    private final int maxOpen;
    /** Disks with an open active layer, least recently used first. */
    private final LinkedHashMap<String, Disk> open = new LinkedHashMap<>(16, 0.75f, true);
    private final LayerWriter writer;

    ActiveLayers(int maxOpen) {
        if (maxOpen < 1) {
            throw new IllegalArgumentException("maxOpen must be at least 1");
        }
        this.maxOpen = maxOpen;
        this.writer = new LayerWriter("vhdstream-layer-writer-" + WRITERS.incrementAndGet());
    }

    /** See {@link DiskLayers#onDataWritten}. */
    void onWritten(LongConsumer listener) {
        writer.onWritten(listener);
    }

    /** Waits for the queued writes (anything that looks at or closes an image must). */
    void drain() throws IOException {
        writer.drain();
    }

    /** Queues a write of {@code data} into the disk's active layer. */
    void write(Disk d, long offset, ByteBuffer data) throws IOException {
        writer.write(image(d), offset, data);
        d.dirty = true;
    }

    /** How many active layers are open. */
    int count() {
        return open.size();
    }

    /** The disk's active layer, opened (and created, if a crash or a rebuild left it out) on demand. */
    VhdImage image(Disk d) throws IOException {
        if (d.active != null) {
            open.get(d.id); // touch: most recently used
            return d.active;
        }
        Path p = d.activeFile();
        if (!Files.exists(p)) {
            LayerFiles.create(d, d.sealed.size());
        }
        if (open.size() >= maxOpen) {
            writer.drain();
        }
        while (open.size() >= maxOpen) {
            Iterator<Disk> it = open.values().iterator();
            Disk eldest = it.next();
            it.remove();
            close(eldest);
        }
        d.active = VhdImage.open(p, OpenOptions.WRITE);
        open.put(d.id, d);
        return d.active;
    }

    /** Syncs (if written) and closes the disk's active layer, if open. */
    void close(Disk d) throws IOException {
        open.remove(d.id);
        VhdImage img = d.active;
        if (img != null) {
            d.active = null;
            try {
                if (d.dirty) {
                    img.sync();
                }
            } finally {
                d.dirty = false;
                img.close();
            }
        }
    }

    /** Fsyncs every open active layer written since its last sync. */
    void sync() throws IOException {
        writer.drain();
        for (Disk d : open.values()) {
            if (d.dirty) {
                d.active.sync();
                d.dirty = false;
            }
        }
    }

    /** Lets queued writes finish, then closes every open layer without syncing. */
    @Override
    public void close() throws IOException {
        writer.close();
        IOException first = null;
        for (Disk d : List.copyOf(open.values())) {
            open.remove(d.id);
            if (d.active != null) {
                try {
                    d.active.close();
                } catch (IOException e) {
                    if (first == null) {
                        first = e;
                    }
                }
                d.active = null;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
