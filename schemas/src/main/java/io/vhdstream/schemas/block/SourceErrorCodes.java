package io.vhdstream.schemas.block;

/**
 * Values of {@code SourceError.reasonCode}. Plain strings rather than an Avro enum, so that adding
 * a code does not break old readers. Add codes here, never rename or reuse one.
 */
public final class SourceErrorCodes {

    /** The file is not a valid VHD (bad cookie, checksum, header, BAT...). */
    public static final String CORRUPT_IMAGE = "CORRUPT_IMAGE";
    /** The file is a VHD of a kind the connector does not export (for example a fixed disk). */
    public static final String UNSUPPORTED_IMAGE = "UNSUPPORTED_IMAGE";
    /** A differencing layer's parent cannot be found under the root. */
    public static final String MISSING_PARENT = "MISSING_PARENT";
    /** The parent found does not carry the unique id the child expects, or the chain loops. */
    public static final String BROKEN_CHAIN = "BROKEN_CHAIN";
    /** The file could not be read (permissions, I/O error, vanished while reading). */
    public static final String IO_ERROR = "IO_ERROR";

    private SourceErrorCodes() {
    }
}
