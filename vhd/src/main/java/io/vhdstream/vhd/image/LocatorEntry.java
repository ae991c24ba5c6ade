package io.vhdstream.vhd.image;

import io.vhdstream.vhd.locator.LocatorPath;
import io.vhdstream.vhd.locator.ParentLocator;

/** A non-empty parent locator slot with its platform data as read from the file (null when unreadable). */
public record LocatorEntry(int slot, ParentLocator locator, byte[] data) {
    /** The path it names, or null when its data is missing or not a path. */
    public String path() {
        if (data == null) {
            return null;
        }
        byte[] used = data.length > locator.dataLength() ? java.util.Arrays.copyOf(data, (int) locator.dataLength()) : data;
        return LocatorPath.decode(locator.platformCode(), used);
    }
}
