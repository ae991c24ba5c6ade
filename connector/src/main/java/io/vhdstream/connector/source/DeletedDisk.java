package io.vhdstream.connector.source;

/**
 * A disk a DeleteDisk command removed: its layer directory keeps the tombstone {@code state} (and {@code sealed}) after
 * the layer files are gone (docs/layer-directory.md).
 *
 * @param commandOffset the DeleteDisk's input offset ({@code deletedOffset}), -1 if the tombstone does not say
 * @param reason        the DeleteDisk's reason, null without one
 */
public record DeletedDisk(String diskId, long commandOffset, String reason) {
}
