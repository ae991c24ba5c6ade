package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.chain.ChainOptions;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code --allow-root} and {@code --lenient}, for the verbs that read through a parent chain. */
public final class ChainOptionsMixin {
    @Option(names = "--allow-root", paramLabel = "DIR",
            description = "Also resolve parents under DIR (repeatable). By default parents are only looked for under"
                    + " the top image's own directory.")
    List<Path> allowRoots = new ArrayList<>();

    @Option(names = "--lenient", description = "Accept checksum mismatches in the footer or header of any layer.")
    boolean lenient;

    /** The chain options for a chain whose top image is {@code top}. */
    public ChainOptions forImage(Path top) {
        requireDirectories(allowRoots);
        ChainOptions o = ChainOptions.forImage(top, allowRoots);
        return lenient ? o.lenient() : o;
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
        return lenient;
    }
}
