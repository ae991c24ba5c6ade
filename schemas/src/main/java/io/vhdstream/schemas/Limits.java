package io.vhdstream.schemas;

/**
 * Sizes and formats shared by producers, the topology and the connector. The record docs in the
 * {@code .avsc} files refer to these names, so a limit is stated once.
 */
public final class Limits {

    /** Bytes per sector: every offset and length on a disk is a multiple of this. */
    public static final int SECTOR = 512;

    /**
     * Most data bytes one {@code Write} command may carry. 512 KiB keeps an encoded command well
     * under Kafka's 1 MiB default record limit (producer {@code max.request.size}, broker
     * {@code message.max.bytes}), so no Kafka setting has to be raised.
     */
    public static final int MAX_WRITE_BYTES = 512 * 1024;

    /** Default data bytes per {@code ChangedBlock} record emitted by the connector; same reasoning. */
    public static final int CHUNK_DEFAULT = 512 * 1024;

    /** Default VHD block size (2 MiB): the only size some VHD tools (blktap) accept. */
    public static final int DEFAULT_BLOCK_SIZE = 2 * 1024 * 1024;

    /** Largest disk a VHD can describe: 0xFF000000 sectors (2040 GiB). */
    public static final long MAX_VIRTUAL_SIZE = 0xFF000000L * SECTOR;

    /**
     * Longest original value a {@code DeadLetter} carries; a longer one is left out (its size is
     * still recorded) so that the dead letter itself fits Kafka's 1 MiB default.
     */
    public static final int MAX_DEAD_LETTER_ORIGINAL_BYTES = 768 * 1024;

    private Limits() {
    }

    /** True if {@code value} is a non-negative multiple of {@link #SECTOR}. */
    public static boolean isSectorAligned(long value) {
        return value >= 0 && value % SECTOR == 0;
    }
}
