package io.vhdstream.connector.source;

import io.vhdstream.connector.offset.LayerOffset;

import java.util.Map;

/** What a source task knows of one disk: its chain as last scanned, and how far it was emitted. */
final class SourceDisk {
    final String diskId;
    final Map<String, String> partition;
    DiskChain chain;
    LayerOffset progress; // in memory: ahead of what the worker has committed
    LayerOffset committed; // with transactions: the progress the last committed transaction stored
    boolean waitingWarned;
    long retryAt;
    /** Its part of the task's {@link SourceLag} when last counted. */
    long lag;
    /** The level of the last resync reported (-1: none), so that a resync retried at the same level is reported once. */
    int resyncLevel = -1;
    /** Retention merged into base.vhd while it was sent: send it again from its start. */
    boolean resendBase;

    SourceDisk(String diskId, LayerOffset stored) {
        this.diskId = diskId;
        this.partition = LayerOffset.partition(diskId);
        this.progress = stored;
        this.committed = stored;
    }
}
