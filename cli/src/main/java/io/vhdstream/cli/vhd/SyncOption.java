package io.vhdstream.cli.vhd;

import io.vhdstream.cli.Models;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code --sync} for verbs that write a raw disk: by default the output is left in the page cache when it is
 * renamed into place, as {@code qemu-img convert}, {@code cp} and {@code dd} leave theirs (see
 * docs/decisions.md); {@code --sync} gets it onto the disk first, so a power loss leaves all of it or none.
 */
final class SyncOption {
    private static final String HELP = "Make a raw OUT durable (fsync) before it gets its name; default: like"
            + " qemu-img convert and cp, the page cache writes it back later.";

    private final Models.Value<Boolean> sync;

    private SyncOption(Models.Value<Boolean> sync) {
        this.sync = sync;
    }

    /** The option on {@code spec} (a {@link io.vhdstream.cli.CodedCommand}'s model), read by the one returned. */
    static SyncOption declareOn(CommandSpec spec) {
        return new SyncOption(Models.flag(spec, "--sync", HELP));
    }

    boolean sync() {
        return sync.value();
    }
}
