package io.vhdstream.topology.disk;

import io.vhdstream.schemas.Limits;
import io.vhdstream.schemas.deadletter.ReasonCodes;
import io.vhdstream.vhd.bat.BlockAllocationTable;

import java.io.IOException;

/**
 * The checks a valid command passes against its disk before it changes anything: each either rejects it (the reason
 * a dead letter carries) or lets it through. Decided from offsets recorded in the directory, so a replay decides the
 * same.
 */
final class CommandChecks {
    private CommandChecks() {
    }

    /** Why a CreateDisk's block size cannot make a disk of {@code size} bytes, or null. */
    static String blockSizeProblem(long size, int blockSize) {
        if (blockSize < Limits.SECTOR || Integer.bitCount(blockSize) != 1 || blockSize > (1 << 30)) {
            return "blockSize " + blockSize + " is not a power of two from " + Limits.SECTOR + " bytes to 1 GiB";
        }
        long blocks = (size + blockSize - 1) / blockSize;
        if (blocks > BlockAllocationTable.MAX_ENTRIES_IN_MEMORY) {
            return "blockSize " + blockSize + " gives " + blocks + " blocks for " + size + " bytes, more than "
                    + BlockAllocationTable.MAX_ENTRIES_IN_MEMORY + "; use a larger block size";
        }
        return null;
    }

    /** Rejects a command for a disk not created before it, or deleted before it; true if rejected. */
    static boolean rejectIfAbsent(Disk d, Position pos, DiskLayers.OutcomeSink out) throws IOException {
        if (d.state == null || d.state.createdOffset() >= pos.offset()) {
            out.accept(new Outcome.Rejected(d.id, ReasonCodes.UNKNOWN_DISK, "disk '" + d.id + "' does not exist"));
            return true;
        }
        if (d.state.deleted() && pos.offset() > d.state.deletedOffset()) {
            out.accept(new Outcome.Rejected(d.id, ReasonCodes.DELETED_DISK, "disk '" + d.id + "' was deleted at offset "
                    + d.state.deletedOffset()));
            return true;
        }
        return false;
    }

    /** Rejects a Write or Trim that ends past the disk's end; true if rejected. */
    static boolean rejectIfPastEnd(Disk d, String what, long offset, long len, DiskLayers.OutcomeSink out)
            throws IOException {
        long size = d.state.virtualSize();
        if (offset > size || len > size - offset) {
            out.accept(new Outcome.Rejected(d.id, ReasonCodes.WRITE_PAST_END, what + " of " + len + " bytes at offset "
                    + offset + " ends past the disk's end (" + size + " bytes)"));
            return true;
        }
        return false;
    }

    /** Why a valid Write/Trim must not be applied again, or null to apply it. */
    static String skipReason(Disk d, Position pos, boolean durable) {
        if (d.state.deleted()) {
            return "the disk was deleted later (offset " + d.state.deletedOffset() + ")";
        }
        long sealedUpTo = d.lastSealOffset();
        if (pos.offset() <= sealedUpTo) {
            return "belongs to a sealed layer (sealed at offset " + sealedUpTo + ")";
        }
        if (durable) {
            return "below the store's committed offset";
        }
        return null;
    }
}
