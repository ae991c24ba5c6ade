package io.vhdstream.connector.sink;

import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The replica layers whose writers (image and record log) are open, at most {@code maxOpen}: the least recently used
 * is closed (synced) to make room. A layer's writers are opened when it is next written.
 */
final class OpenWriters {
    private static final Logger log = LoggerFactory.getLogger(OpenWriters.class);

    private final int maxOpen;
    private final LinkedHashMap<ReplicaLayer, Boolean> open = new LinkedHashMap<>(16, 0.75f, true);

    OpenWriters(int maxOpen) {
        this.maxOpen = maxOpen;
    }

    /** The layer's record log, its image open too ({@code l.image}); opened (closing the eldest) if they were not. */
    RecordLog of(ReplicaLayer l) throws IOException {
        if (l.image == null) {
            while (open.size() >= maxOpen) {
                Iterator<ReplicaLayer> it = open.keySet().iterator();
                close(it.next());
            }
            l.image = VhdImage.open(l.vhd(), OpenOptions.WRITE);
            try {
                l.records = new RecordLog(l.logPath());
            } catch (IOException e) {
                l.image.close();
                l.image = null;
                throw e;
            }
        }
        open.put(l, Boolean.TRUE);
        return l.records;
    }

    /** Syncs and closes the layer's writers, if open. */
    void close(ReplicaLayer l) throws IOException {
        open.remove(l);
        IOException first = null;
        if (l.image != null) {
            try {
                l.image.sync();
                l.image.close();
            } catch (IOException e) {
                first = e;
            }
            l.image = null;
        }
        if (l.records != null) {
            try {
                l.records.sync();
                l.records.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
            l.records = null;
        }
        if (first != null) {
            throw first;
        }
    }

    /** Makes everything written so far durable. */
    void syncAll() throws IOException {
        for (ReplicaLayer l : new ArrayList<>(open.keySet())) {
            l.image.sync();
            l.records.sync();
        }
    }

    /** Syncs and closes every writer; the first error is thrown after all were tried. */
    void closeAll() throws IOException {
        IOException first = null;
        for (ReplicaLayer l : new ArrayList<>(open.keySet())) {
            try {
                close(l);
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Closes every writer without a sync, after an I/O error left unknown how much of the last record reached the files
     * (what is not there is written again when the batch is redelivered). Errors are logged: the files are what counts.
     */
    void abandonAll() {
        for (ReplicaLayer l : new ArrayList<>(open.keySet())) {
            for (Closeable c : new Closeable[] {l.image, l.records}) {
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (IOException | RuntimeException e) {
                    log.warn("closing the writers of {} after an I/O error: {}", l.vhd(), e.toString());
                }
            }
            l.image = null;
            l.records = null;
        }
        open.clear();
    }
}
