package io.vhdstream.nbd.export;

import java.io.IOException;
import java.util.List;

/** The exports a server offers, by name. */
public interface ExportCatalog {
    /** The export called {@code name}, opened for one connection, or null if there is none. */
    Export open(String name) throws IOException;

    /** Names for NBD_OPT_LIST (at most {@code max}). */
    List<String> names(int max) throws IOException;
}
