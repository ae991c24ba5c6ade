package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.chain.ChildFinder;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.Sectors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Argument checks shared by verbs, failing as usage errors (exit 2) before anything is touched. */
final class Guards {
    /** Bytes per read/write chunk of the streaming verbs. */
    static final int CHUNK = 4 << 20;

    private Guards() {
    }

    static void requireAligned(String option, long value) {
        if (!Sectors.aligned(value)) {
            throw CliException.usage(ProblemCode.UNALIGNED.name(), option + " " + value
                    + " is not a multiple of 512 (the sector size)");
        }
    }

    /** Refuses to write into an image other images use as their parent, unless forced. */
    static void requireNoChildren(Path image, List<Path> roots, boolean force) throws IOException {
        if (force) {
            return;
        }
        List<Path> children = ChildFinder.children(image, roots);
        if (!children.isEmpty()) {
            throw CliException.failure(ProblemCode.HAS_CHILDREN.name(), image + " is the parent of " + children.get(0)
                    + (children.size() > 1 ? " and " + (children.size() - 1) + " more" : "")
                    + ": writing into it would change what they read (--force writes anyway)");
        }
    }

    /** Tells which --allow-root later reads of {@code child} need when its parent lies outside its directory. */
    static void noteOutsideRoot(java.io.PrintWriter err, Path child, Path parent) throws IOException {
        Path childDir = child.toAbsolutePath().normalize().getParent();
        Path parentReal = parent.toRealPath();
        if (childDir != null && !parentReal.startsWith(childDir.toRealPath())) {
            err.println("note: the parent lies outside " + childDir + "; verbs reading " + child
                    + " need --allow-root " + parentReal.getParent());
        }
    }

    /** Refuses an output that is the input itself (it would be replaced while being read). */
    static void requireNotInput(Path output, Path input) throws IOException {
        if (Files.exists(output) && Files.isSameFile(output, input)) {
            throw CliException.usage(ProblemCode.INVALID_ARGUMENT.name(), output + " is the input; refusing to overwrite it");
        }
    }

    /** Refuses an output path that is one of the chain's image files (it would be truncated). */
    static void requireNotLayer(Path output, VhdChain chain) throws IOException {
        if (!Files.exists(output)) {
            return;
        }
        for (VhdImage layer : chain.layers()) {
            if (Files.isSameFile(output, layer.path())) {
                throw CliException.usage(ProblemCode.INVALID_ARGUMENT.name(), output + " is an image of the chain being read ("
                        + layer.path() + "); refusing to overwrite it");
            }
        }
    }
}
