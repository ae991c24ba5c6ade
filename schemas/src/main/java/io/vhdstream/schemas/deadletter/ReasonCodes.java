package io.vhdstream.schemas.deadletter;

/**
 * Values of {@code DeadLetter.reasonCode}. Plain strings rather than an Avro enum: a reader built
 * before a code was added still decodes the record and can treat the code as a generic rejection.
 * Add codes here, never rename or reuse one.
 */
public final class ReasonCodes {

    /** The value is not a decodable {@code DiskCommand} (bad framing, unknown schema, corrupt body). */
    public static final String UNDECODABLE = "UNDECODABLE";
    /** The record key is missing or differs from the command's diskId. */
    public static final String KEY_MISMATCH = "KEY_MISMATCH";
    /** A disk or snapshot id is empty or cannot be stored (see docs/layer-directory.md). */
    public static final String INVALID_ID = "INVALID_ID";
    /** A command other than CreateDisk names a disk that was never created. */
    public static final String UNKNOWN_DISK = "UNKNOWN_DISK";
    /** A command names a disk that has been deleted. */
    public static final String DELETED_DISK = "DELETED_DISK";
    /** CreateDisk names a disk that already exists. */
    public static final String DISK_EXISTS = "DISK_EXISTS";
    /** CreateDisk's virtualSize is not positive, not sector-aligned, or above the VHD maximum. */
    public static final String INVALID_SIZE = "INVALID_SIZE";
    /** CreateDisk's blockSize is not a power of two of at least one sector. */
    public static final String INVALID_BLOCK_SIZE = "INVALID_BLOCK_SIZE";
    /** An offset or length is not a multiple of the sector size, or a length is not positive. */
    public static final String MISALIGNED = "MISALIGNED";
    /** A Write or Trim reaches beyond the disk's virtualSize. */
    public static final String WRITE_PAST_END = "WRITE_PAST_END";
    /** A Write carries more than {@code Limits.MAX_WRITE_BYTES}. */
    public static final String WRITE_TOO_LARGE = "WRITE_TOO_LARGE";
    /** A Snapshot reuses a snapshotId already used for the disk. */
    public static final String DUPLICATE_SNAPSHOT = "DUPLICATE_SNAPSHOT";
    /** The command was valid but could not be applied (for example an I/O error on the layer). */
    public static final String APPLY_FAILED = "APPLY_FAILED";

    private ReasonCodes() {
    }
}
