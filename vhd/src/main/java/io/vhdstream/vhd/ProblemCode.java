package io.vhdstream.vhd;

/**
 * Stable codes for everything that can be wrong with an image or a request. The names are part of the
 * public interface (the CLI prints them, JSON output and tests match on them): never rename one, only add.
 */
public enum ProblemCode {
    // File level
    FILE_TOO_SMALL, IO_ERROR,
    // Footer
    FOOTER_COOKIE, FOOTER_CHECKSUM, FOOTER_FEATURES, FOOTER_VERSION, FOOTER_DISK_TYPE, FOOTER_DATA_OFFSET,
    FOOTER_TIMESTAMP_FUTURE, FOOTER_SAVED_STATE, FOOTER_UNIQUE_ID_NULL, FOOTER_COPY_MISMATCH, FOOTER_COPY_MISSING,
    FOOTER_SIZE, FIXED_SIZE_MISMATCH,
    // Dynamic header
    HEADER_COOKIE, HEADER_CHECKSUM, HEADER_VERSION, HEADER_DATA_OFFSET, HEADER_OUTSIDE_FILE, HEADER_TABLE_OFFSET,
    HEADER_BLOCK_SIZE, HEADER_MAX_TABLE_ENTRIES,
    // Block allocation table
    BAT_OUTSIDE_FILE, BAT_BLOCK_IN_METADATA, BAT_BLOCK_PAST_END, BAT_OVERLAP, BAT_UNALIGNED,
    // Parent locators and the chain
    LOCATOR_PLATFORM_CODE, LOCATOR_OUTSIDE_FILE, LOCATOR_OVERLAP, LOCATOR_DUPLICATE, LOCATOR_DATA,
    PARENT_NAME_MISMATCH, PARENT_NOT_FOUND, PARENT_ID_MISMATCH, PARENT_TIMESTAMP_MISMATCH, PARENT_OUTSIDE_ROOT,
    PARENT_NOT_VHD, CHAIN_CYCLE, CHAIN_TOO_DEEP, CHAIN_SIZE_MISMATCH,
    // blktap batmap
    BATMAP_COOKIE, BATMAP_VERSION, BATMAP_CHECKSUM, BATMAP_SIZE, BATMAP_OUTSIDE_FILE, BATMAP_FULL_BLOCK_UNALLOCATED,
    BATMAP_FULL_BLOCK_NOT_FULL,
    // Requests
    OUT_OF_RANGE, UNALIGNED, READ_ONLY, IMAGE_LOCKED, UNSUPPORTED, INVALID_ARGUMENT, ALREADY_EXISTS,
    // Added later (kept at the end: names are the interface, order is not)
    /** A write into an image other images use as their parent. */
    HAS_CHILDREN,
    /** A coalesce into this image started and did not finish (its marker file is still there). */
    COALESCE_INCOMPLETE,
    /** An input is a disk-image container (VHD, VHDX, qcow2, VMDK, VDI) where a raw disk was expected. */
    NOT_RAW
}
