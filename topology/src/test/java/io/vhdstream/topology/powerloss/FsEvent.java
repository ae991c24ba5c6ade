package io.vhdstream.topology.powerloss;

/**
 * One file-system operation as the disk sees it, recorded in the order it was made. Paths are relative to the
 * recorded root, '/'-separated ("" is the root itself).
 */
sealed interface FsEvent {
    /** A new empty file or directory under its name (a directory entry of its parent). */
    record Create(String path, boolean directory) implements FsEvent {
    }

    /** Bytes written into the file now named {@code path}. */
    record Write(String path, long position, byte[] data) implements FsEvent {
    }

    /** The file cut (or extended with zeros) to {@code size}. */
    record Truncate(String path, long size) implements FsEvent {
    }

    /** An fsync of a file that returned: its data written so far is on the disk. */
    record SyncFile(String path) implements FsEvent {
    }

    /** An fsync of a directory that returned: its entries (creates, renames, deletes in it) are on the disk. */
    record SyncDir(String path) implements FsEvent {
    }

    /** A rename, replacing {@code to} if it exists. */
    record Rename(String from, String to) implements FsEvent {
    }

    /** A name removed (the file's data goes with its last name). */
    record Delete(String path) implements FsEvent {
    }
}
