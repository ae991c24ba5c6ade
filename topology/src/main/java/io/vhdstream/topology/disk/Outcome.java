package io.vhdstream.topology.disk;

/**
 * What {@link DiskLayers} did with one input record: exactly one outcome per record. The processor turns
 * {@link Rejected} into a dead letter, {@link Sealed} (with its merges) and {@link Deleted} into layer events, and ignores the
 * others; catch-up and rebuild ignore them all (the events were published when the records were first
 * processed).
 */
public sealed interface Outcome {

    /** The command changed the layers (CreateDisk, Write, Trim). */
    record Applied(String diskId, String command) implements Outcome {
    }

    /** The command was valid and its effect is already in the layers (a replay): nothing written. */
    record Skipped(String diskId, String command, String why) implements Outcome {
    }

    /**
     * The record is bad input; nothing changed.
     *
     * @param diskId     null when the record could not be decoded
     * @param reasonCode one of {@code io.vhdstream.schemas.deadletter.ReasonCodes}
     */
    record Rejected(String diskId, String reasonCode, String message) implements Outcome {
    }

    /**
     * A Snapshot sealed a layer, or (replayed) had sealed it before: the same event either way.
     *
     * @param merges        the merges this seal decided ({@link Retention}): none, or one folding the oldest layers
     *                      into the base; a replay reports the recorded ones again
     * @param mergedExtents what those merges wrote into the base, or null when not known (a replayed seal whose
     *                      merge ran before): then anything in the base may have changed
     */
    record Sealed(DiskState disk, SealedLayer layer, boolean replayed, java.util.List<MergeRecord> merges,
                  java.util.List<io.vhdstream.vhd.extent.Extent> mergedExtents) implements Outcome {
    }

    /**
     * A DeleteDisk was applied (or, replayed, had been): {@code disk} is the tombstone, with the removed layer
     * files. Reported before the files are removed.
     */
    record Deleted(DiskState disk, boolean replayed) implements Outcome {
    }
}
