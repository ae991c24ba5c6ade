package io.vhdstream.cli.vhd;

import picocli.CommandLine.Option;

/**
 * {@code --sync} for verbs that write a raw disk: by default the output is left in the page cache when it is
 * renamed into place, as {@code qemu-img convert}, {@code cp} and {@code dd} leave theirs (see
 * docs/decisions.md); {@code --sync} gets it onto the disk first, so a power loss leaves all of it or none.
 */
final class SyncOption {
    @Option(names = "--sync", description = "Make a raw OUT durable (fsync) before it gets its name; default: like"
            + " qemu-img convert and cp, the page cache writes it back later.")
    boolean sync;
}
