package io.vhdstream.nbd.journal;

import io.vhdstream.nbd.export.AllocationRuns;
import io.vhdstream.nbd.export.Export;
import io.vhdstream.nbd.protocol.Nbd;
import io.vhdstream.nbd.protocol.NbdError;
import io.vhdstream.schemas.Limits;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.topology.produce.DiskCommands;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A read-write disk shared by all its connections. Every WRITE, WRITE_ZEROES and TRIM becomes Write or Trim
 * commands sent at once (in request order, one partition); the request completes without waiting unless it
 * has FUA. Until Kafka acknowledges a command its data stays in memory (pending) so reads see it; once
 * acknowledged, an applier thread writes it into the {@link LocalImage} in log order and drops it from
 * memory. FLUSH (and FUA) return when every command sent before is acknowledged: the log then holds all the
 * client was told is durable. A failed send breaks the disk: every later write and flush gets EIO (the log
 * may lack a write the client saw complete), reads go on; a restart reconciles with the log.
 */
public final class JournaledDisk implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(JournaledDisk.class);
    /** Unacknowledged data kept in memory at most; a writer waits beyond it. */
    private static final long MAX_PENDING_BYTES = 64L * 1024 * 1024;
    private static final long CHECKPOINT_NANOS = 1_000_000_000L;

    private record Pending(long seq, long offset, long length, byte[] data) {
    }

    private record Acked(Pending p, long logOffset) {
    }

    private final String diskId;
    private final LocalImage image;
    private final CommandSender sender;
    private final long size;
    // lock: send order, the pending list and the image. ackLock: acknowledgements (taken by producer callbacks,
    // which must never wait for lock: a send blocked on producer memory holds it).
    private final Object lock = new Object();
    private final Object ackLock = new Object();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long pendingBytes;
    private long nextSeq = 1;
    private long ackedThrough;
    private long writesSinceSnapshot;
    private volatile Exception failed;
    private final LinkedBlockingQueue<Acked> toApply = new LinkedBlockingQueue<>();
    private final Thread applier;
    private volatile boolean closing;

    JournaledDisk(String diskId, LocalImage image, CommandSender sender) {
        this.diskId = diskId;
        this.image = image;
        this.sender = sender;
        this.size = image.size();
        this.applier = new Thread(this::applyLoop, "nbd-apply-" + diskId);
        this.applier.setDaemon(true);
        this.applier.start();
    }

    public String diskId() {
        return diskId;
    }

    public long size() {
        return size;
    }

    public void write(long offset, ByteBuffer data, boolean fua) throws IOException {
        long last = 0;
        for (int done = 0; done < data.remaining(); ) {
            int n = Math.min(Limits.MAX_WRITE_BYTES, data.remaining() - done);
            byte[] chunk = new byte[n];
            data.duplicate().position(data.position() + done).get(chunk);
            last = submit(offset + done, n, chunk);
            done += n;
        }
        if (fua) {
            awaitAcked(last);
        }
    }

    /** WRITE_ZEROES and TRIM alike: a Trim command (the range reads as zeros afterwards). */
    public void zero(long offset, long length, boolean fua) throws IOException {
        long seq = submit(offset, length, null);
        if (fua) {
            awaitAcked(seq);
        }
    }

    public void flush() throws IOException {
        long upTo;
        synchronized (lock) {
            upTo = nextSeq - 1;
        }
        awaitAcked(upTo);
    }

    /**
     * Sends a Snapshot command after every write sent so far and waits until Kafka acknowledged it (and so
     * everything before it): a consistent cut at a flush point.
     *
     * @return the Snapshot's log offset
     */
    public long snapshot(String snapshotId, String label) throws IOException {
        long[] offset = {-1};
        long seq;
        synchronized (lock) {
            failIfBroken();
            seq = nextSeq++;
            Pending marker = new Pending(seq, 0, 0, null);
            pending.add(marker);
            send(DiskCommands.snapshot(diskId, snapshotId, label), marker, offset);
            writesSinceSnapshot = 0;
        }
        awaitAcked(seq);
        return offset[0];
    }

    /** True if anything was written since the last snapshot (a scheduled snapshot of nothing new is skipped). */
    public boolean changedSinceSnapshot() {
        synchronized (lock) {
            return writesSinceSnapshot > 0;
        }
    }

    /** The disk as the client wrote it: the local image with unacknowledged writes over it. */
    public void read(long offset, ByteBuffer dst) throws IOException {
        int len = dst.remaining();
        int base = dst.position();
        synchronized (lock) {
            image.read(offset, dst.duplicate());
            for (Pending p : pending) {
                long from = Math.max(offset, p.offset);
                long to = Math.min(offset + len, p.offset + p.length);
                if (from >= to) {
                    continue;
                }
                int at = base + (int) (from - offset);
                if (p.data == null) {
                    for (int i = 0; i < to - from; i++) {
                        dst.put(at + i, (byte) 0);
                    }
                } else {
                    dst.put(at, p.data, (int) (from - p.offset), (int) (to - from));
                }
            }
        }
        dst.position(dst.limit());
    }

    /** Allocation of the local image; a range with unacknowledged writes is reported as data (always safe). */
    public void blockStatus(long offset, long length, Export.StatusSink sink) throws IOException {
        synchronized (lock) {
            for (Pending p : pending) {
                if (p.offset < offset + length && offset < p.offset + p.length) {
                    sink.run(length, 0);
                    return;
                }
            }
            AllocationRuns.report(image.chain(), offset, length, sink);
        }
    }

    private long submit(long offset, long length, byte[] data) throws IOException {
        synchronized (lock) {
            while (pendingBytes >= MAX_PENDING_BYTES && failed == null) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new NbdError(Nbd.EIO, "interrupted");
                }
            }
            failIfBroken();
            long seq = nextSeq++;
            Pending p = new Pending(seq, offset, length, data);
            pending.add(p);
            pendingBytes += data == null ? 0 : data.length;
            writesSinceSnapshot++;
            send(data == null ? DiskCommands.trim(diskId, offset, length) : DiskCommands.write(diskId, offset, data), p, null);
            return seq;
        }
    }

    private void send(DiskCommand c, Pending p, long[] offsetOut) {
        try {
            sender.send(c, (RecordMetadata md, Exception e) -> acked(p, md, e, offsetOut));
        } catch (RuntimeException e) {
            acked(p, null, e, offsetOut);
        }
    }

    private void acked(Pending p, RecordMetadata md, Exception e, long[] offsetOut) {
        synchronized (ackLock) {
            if (e != null) {
                if (failed == null) {
                    failed = e;
                    log.error("disk '{}': Kafka did not acknowledge a command ({}); the export is fenced: writes and flushes"
                            + " fail with EIO until 'vhdstream nbd serve' is restarted, which reconciles with the log", diskId,
                            e.toString());
                }
            } else {
                ackedThrough = Math.max(ackedThrough, p.seq);
                if (offsetOut != null) {
                    offsetOut[0] = md.offset();
                }
                toApply.add(new Acked(p, md.offset()));
            }
            ackLock.notifyAll();
        }
        if (e != null) {
            synchronized (lock) {
                lock.notifyAll();   // writers waiting for memory
            }
        }
    }

    private void awaitAcked(long seq) throws IOException {
        synchronized (ackLock) {
            while (ackedThrough < seq && failed == null) {
                try {
                    ackLock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new NbdError(Nbd.EIO, "interrupted");
                }
            }
        }
        failIfBroken();
    }

    private void failIfBroken() throws NbdError {
        Exception f = failed;
        if (f != null) {
            throw new NbdError(Nbd.EIO, "disk '" + diskId + "': Kafka did not acknowledge a write (" + f.getMessage()
                    + "); restart the server to reconcile with the log", f);
        }
    }

    private void applyLoop() {
        long lastCheckpoint = System.nanoTime();
        long nextOffset = -1;
        try {
            while (!closing || !toApply.isEmpty()) {
                Acked a = toApply.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                synchronized (lock) {
                    if (a != null) {
                        Pending p = a.p();
                        if (p.length > 0) {
                            if (p.data != null) {
                                image.write(p.offset, ByteBuffer.wrap(p.data));
                            } else {
                                image.zero(p.offset, p.length);
                            }
                        }
                        pending.remove(p);
                        pendingBytes -= p.data == null ? 0 : p.data.length;
                        nextOffset = a.logOffset() + 1;
                        lock.notifyAll();
                    }
                    boolean due = System.nanoTime() - lastCheckpoint > CHECKPOINT_NANOS;
                    if (nextOffset > image.next() && (due || (closing && toApply.isEmpty()))) {
                        image.checkpoint(nextOffset);
                        lastCheckpoint = System.nanoTime();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            log.error("disk '{}': applying acknowledged writes to the local image failed; a restart rebuilds it from the log",
                    diskId, e);
            synchronized (ackLock) {
                if (failed == null) {
                    failed = e;
                }
                ackLock.notifyAll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for every sent command's acknowledgement (bounded by the producer's delivery timeout), applies, checkpoints. */
    @Override
    public void close() throws IOException {
        try {
            flush();
        } catch (IOException e) {
            log.warn("disk '{}': closing with unacknowledged writes: {}", diskId, e.getMessage());
        }
        closing = true;
        try {
            applier.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            image.close();
        }
    }
}
