package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.Models;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.chain.ChainOptions;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code --allow-root} and {@code --lenient}, for the verbs that read through a parent chain, declared on their
 * models (written in code) with {@link #declareOn}.
 */
public final class ChainOptionsMixin {
    private static final String ALLOW_ROOT = "--allow-root";
    private static final String DIR = "DIR";
    private static final String ALLOW_ROOT_HELP = "Also resolve parents under DIR (repeatable). By default parents are only"
            + " looked for under the top image's own directory.";
    private static final String LENIENT = "--lenient";
    private static final String LENIENT_HELP = "Accept checksum mismatches in the footer or header of any layer.";

    private final Models.Value<List<Path>> allowRoots;
    private final Models.Value<Boolean> lenient;

    private ChainOptionsMixin(Models.Value<List<Path>> allowRoots, Models.Value<Boolean> lenient) {
        this.allowRoots = allowRoots;
        this.lenient = lenient;
    }

    /** The two options on {@code spec} (a {@link io.vhdstream.cli.CodedCommand}'s model), read by the mixin returned. */
    static ChainOptionsMixin declareOn(CommandSpec spec) {
        return new ChainOptionsMixin(Models.repeatable(spec, ALLOW_ROOT, DIR, Path.class, ALLOW_ROOT_HELP),
                Models.flag(spec, LENIENT, LENIENT_HELP));
    }

    /** The chain options for a chain whose top image is {@code top}. */
    public ChainOptions forImage(Path top) {
        List<Path> roots = allowRoots.value();
        requireDirectories(roots);
        ChainOptions o = ChainOptions.forImage(top, roots);
        return lenient() ? o.lenient() : o;
    }

    /** Refuses an {@code --allow-root} that is not a directory (usage error), before any file is read. */
    static void requireDirectories(List<Path> roots) {
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                throw CliException.usage(ProblemCode.INVALID_ARGUMENT.name(), "--allow-root " + root + " is not a directory");
            }
        }
    }

    public boolean lenient() {
        return lenient.value();
    }
}
