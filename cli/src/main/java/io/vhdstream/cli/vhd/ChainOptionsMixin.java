package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.Models;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.chain.ChainOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --allow-root} and {@code --lenient}, for the verbs that read through a parent chain: a {@code @Mixin} of
 * annotated verbs, or declared on a model written in code with {@link #declareOn}.
 */
public final class ChainOptionsMixin {
    private static final String ALLOW_ROOT = "--allow-root";
    private static final String DIR = "DIR";
    private static final String ALLOW_ROOT_HELP = "Also resolve parents under DIR (repeatable). By default parents are only"
            + " looked for under the top image's own directory.";
    private static final String LENIENT = "--lenient";
    private static final String LENIENT_HELP = "Accept checksum mismatches in the footer or header of any layer.";

    @Option(names = ALLOW_ROOT, paramLabel = DIR, description = ALLOW_ROOT_HELP)
    List<Path> allowRoots = new ArrayList<>();

    @Option(names = LENIENT, description = LENIENT_HELP)
    boolean lenient;

    /** Set when the options were declared in code: their values are read from here. */
    private Models.Value<List<Path>> declaredRoots;
    private Models.Value<Boolean> declaredLenient;

    /** The same two options on {@code spec} (a {@link io.vhdstream.cli.CodedCommand}'s model), read by the mixin returned. */
    static ChainOptionsMixin declareOn(CommandSpec spec) {
        ChainOptionsMixin m = new ChainOptionsMixin();
        m.declaredRoots = Models.repeatable(spec, ALLOW_ROOT, DIR, Path.class, ALLOW_ROOT_HELP);
        m.declaredLenient = Models.flag(spec, LENIENT, LENIENT_HELP);
        return m;
    }

    /** The chain options for a chain whose top image is {@code top}. */
    public ChainOptions forImage(Path top) {
        List<Path> roots = declaredRoots != null ? declaredRoots.value() : allowRoots;
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
        return declaredLenient != null ? declaredLenient.value() : lenient;
    }
}
