package io.vhdstream.cli;

import io.vhdstream.cli.Commands.Node;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command registry, and the partial command trees {@link Cli#run} builds: lazy, yet the same to users. */
class CommandsTest {

    @Test
    void everyRegisteredNameIsTheCommandsOwnNameAndGroupsDeclareNoSubcommands() throws Exception {
        List<Node> all = new ArrayList<>();
        collect(Commands.TREE, all);
        for (Node n : all) {
            String name;
            int declaredSubcommands;
            if (CodedCommand.class.isAssignableFrom(n.type())) {
                CommandSpec model = coded(n.type()).model();
                name = model.name();
                declaredSubcommands = model.subcommands().size();
            } else {
                Command c = n.type().getAnnotation(Command.class);
                assertNotNull(c, n.type() + " has no @Command");
                name = c.name();
                declaredSubcommands = c.subcommands().length;
            }
            assertEquals(n.name(), name, () -> n.type() + " is registered under another name");
            if (n.isGroup()) {
                assertEquals(0, declaredSubcommands,
                        () -> n.type() + " is a group of Commands.TREE: its verbs go there, not into its own model");
                assertEquals(HelpCommand.class, n.children().get(n.children().size() - 1).type(),
                        () -> n.name() + " should end with help");
            }
        }
    }

    @Test
    void aShortCommandBuildsOnlyTheCommandsOnItsPath() {
        CommandLine cli = Cli.commandLine(terminal(), "--debug", "vhd", "info", "x.vhd");
        assertEquals(List.of("vhd"), List.copyOf(cli.getSubcommands().keySet()));
        assertEquals(List.of("info"), List.copyOf(cli.getSubcommands().get("vhd").getSubcommands().keySet()));
    }

    /**
     * A group's help, a missing or unknown verb list the annotated subcommands from their {@code @Command} alone:
     * no verb's options are built (that made {@code vhd --help} cost more than twice a short command, when its
     * verbs were annotated; a coded verb's listing is its model, which costs no reflection).
     */
    @Test
    void aGroupsHelpBuildsListingsNotModels() {
        for (String[] args : List.of(new String[] {"vhd", "--help"}, new String[] {"vhd"}, new String[] {"vhd", "bogus"},
                new String[] {"vhd", "-h", "info"})) {
            CommandLine vhd = Cli.commandLine(terminal(), args).getSubcommands().get("vhd");
            assertEquals(Commands.TREE.child("vhd").childNames(), names(vhd), () -> String.join(" ", args));
        }
        for (String[] args : List.of(new String[] {"disk", "--help"}, new String[] {"disk"}, new String[] {"disk", "bogus"},
                new String[] {"disk", "-h", "list"})) {
            CommandLine disk = Cli.commandLine(terminal(), args).getSubcommands().get("disk");
            assertEquals(Commands.TREE.child("disk").childNames(), names(disk), () -> String.join(" ", args));
            assertEquals(List.of(), ownOptions(disk.getSubcommands().get("create")), () -> String.join(" ", args));
        }
        CommandLine root = Cli.commandLine(terminal(), "--help");
        assertEquals(List.of(), ownOptions(root.getSubcommands().get("topology")));
        assertEquals(List.of(), root.getSubcommands().get("disk").getSubcommands().keySet().stream().toList(), "no grandchildren");
        // named: built whole, as picocli may run it or show its help
        assertTrue(!ownOptions(Cli.commandLine(terminal(), "help", "topology").getSubcommands().get("topology")).isEmpty());
        assertTrue(!ownOptions(Cli.commandLine(terminal(), "disk", "help", "create").getSubcommands().get("disk").getSubcommands().get("create"))
                .isEmpty());
    }

    /** The options a command declares (not the inherited {@code --debug}). */
    private static List<String> ownOptions(CommandLine cli) {
        return cli.getCommandSpec().options().stream().filter(o -> !o.inherited()).map(o -> o.longestName()).toList();
    }

    @Test
    void helpAndUnknownNamesBuildTheWholeSubtree() {
        assertEquals(Commands.TREE.childNames(), names(Cli.commandLine(terminal(), "--help")));
        assertEquals(Commands.TREE.childNames(), names(Cli.commandLine(terminal(), "help", "vhd")));
        assertEquals(Commands.TREE.child("vhd").childNames(), names(Cli.commandLine(terminal(), "vhd", "inf").getSubcommands().get("vhd")));
        assertEquals(Commands.TREE.child("vhd").childNames(), names(Cli.commandLine(terminal(), "vhd", "help", "info").getSubcommands().get("vhd")));
    }

    /** Whatever the arguments, the partial tree prints and exits exactly as the whole tree does. */
    @Test
    void partialTreesBehaveAsTheWholeTree(@TempDir Path dir) throws Exception {
        Path img = dir.resolve("a.vhd");
        assertEquals(0, CliRunner.vhd("create", img, "--size", "1M").exit());
        String f = img.toString();
        List<String[]> cases = List.of(new String[] {}, new String[] {"--help"}, new String[] {"-h"}, new String[] {"--version"},
                new String[] {"-V"}, new String[] {"-V", "--version"}, new String[] {"--version", "--help"},
                new String[] {"vhd"}, new String[] {"vhd", "--help"}, new String[] {"vhd", "inf", f},
                new String[] {"help"}, new String[] {"help", "vhd"}, new String[] {"help", "vhd", "info"},
                new String[] {"vhd", "help", "check"}, new String[] {"bogus"}, new String[] {"--bogus", "vhd"},
                new String[] {"vhd", "info", f}, new String[] {"--debug", "vhd", "info", f},
                new String[] {"vhd", "--debug", "info", dir.resolve("missing").toString()},
                new String[] {"vhd", "info", "--bogus", f}, new String[] {"vhd", "info", "--help"},
                new String[] {"vhd", "check", "--json", f}, new String[] {"vhd", "read", f, "--offset", "1"},
                new String[] {"vhd", "--", "info", f}, new String[] {"vhd", "-", f},
                new String[] {"produce", "--help"}, new String[] {"produce", "workload", "--help"}, new String[] {"produce"},
                new String[] {"demo", "--help"}, new String[] {"rebuild", "--disk"},
                new String[] {"vhd", "bogus"}, new String[] {"vhd", "-h"}, new String[] {"-h", "vhd"}, new String[] {"-hV", "vhd"},
                new String[] {"vhd", "-h", "info"}, new String[] {"vhd", "help"}, new String[] {"vhd", "map", "--help"},
                new String[] {"--debug", "vhd", "--help"}, new String[] {"nbd"}, new String[] {"nbd", "--help"},
                new String[] {"disk"}, new String[] {"disk", "--help"}, new String[] {"disk", "bogus"}, new String[] {"help", "disk"},
                new String[] {"-h", "disk", "list"});
        for (String[] args : cases) {
            Run whole = run(true, args);
            Run partial = run(false, args);
            assertEquals(whole, partial, () -> "vhdstream " + String.join(" ", args));
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(boolean wholeTree, String[] args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Terminal t = new Terminal(InputStream.nullInputStream(), out, err, false);
        int exit = wholeTree ? Cli.execute(Cli.commandLine(t), args) : Cli.run(t, args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), stripStackTraceLines(err.toString(StandardCharsets.UTF_8)));
    }

    /** Stack traces (with --debug) differ in the frames of the tree building; the lines before them must not. */
    private static String stripStackTraceLines(String s) {
        return String.join("\n", s.lines().filter(l -> !l.startsWith("\tat ") && !l.startsWith("\t...")).toList());
    }

    private static CodedCommand coded(Class<?> type) throws ReflectiveOperationException {
        return type == VhdstreamCommand.class ? new VhdstreamCommand(terminal()) : (CodedCommand) type.getConstructor().newInstance();
    }

    /**
     * The commands whose models are written in code offer exactly the options, parameters and help texts they
     * had as annotated classes (recorded here from the annotated versions' usage help).
     */
    @Test
    void codedCommandsHelpIsWhatTheAnnotationsGave() {
        assertHelp("info",
                "Usage: vhdstream vhd info [-hV] [--debug] [--json] [--lenient]",
                "                          [--allow-root=DIR]... FILE...",
                "Show an image's footer, dynamic header, parent locators and parent chain.",
                "A differencing image whose parent cannot be resolved is still shown (exit 0),",
                "with the reason in the chain section.",
                "      FILE...            The images.",
                "      --allow-root=DIR   Also resolve parents under DIR (repeatable). By",
                "                           default parents are only looked for under the top",
                "                           image's own directory.",
                "      --debug            On an error, also print the stack trace (to stderr).",
                "  -h, --help             Show this help message and exit.",
                "      --json             Print one JSON object per file, one per line, instead",
                "                           of text.",
                "      --lenient          Accept checksum mismatches in the footer or header of",
                "                           any layer.",
                "  -V, --version          Print version information and exit.");
        assertHelp("import",
                "Usage: vhdstream vhd import [-fhpqV] [--debug] [--lenient] [--block-size=SIZE]",
                "                            [--format=raw] [--parent=VHD] [--size=SIZE]",
                "                            [--type=fixed|dynamic] [--allow-root=DIR]... RAW_IN",
                "                            FILE",
                "Make a new VHD image FILE from a raw disk file RAW_IN (- for stdin, with",
                "--size).",
                "All-zero sectors are not stored. With --parent, FILE becomes a differencing",
                "child of VHD holding only the sectors where RAW_IN differs from VHD's content",
                "(read through VHD's chain; --allow-root and --lenient apply to it).",
                "FILE is written under a temporary name and renamed when complete; an existing",
                "FILE is refused without --force. A RAW_IN that is a VHD, VHDX, qcow2, VMDK or",
                "VDI image is refused (convert a VHD with 'vhdstream vhd convert'); --format raw",
                "imports its bytes as they are.",
                "      RAW_IN                 The raw disk file, a whole number of sectors; -",
                "                               for stdin.",
                "      FILE                   The image to create.",
                "      --allow-root=DIR       Also resolve parents under DIR (repeatable). By",
                "                               default parents are only looked for under the",
                "                               top image's own directory.",
                "      --block-size=SIZE      Block size of a dynamic image (default: 2M).",
                "      --debug                On an error, also print the stack trace (to",
                "                               stderr).",
                "  -f, --force                Replace FILE if it exists.",
                "      --format=raw           'raw': take RAW_IN as a raw disk even when it",
                "                               carries an image container's signature.",
                "  -h, --help                 Show this help message and exit.",
                "      --lenient              Accept checksum mismatches in the footer or header",
                "                               of any layer.",
                "  -p, --progress             Show a progress bar on stderr even when it is not",
                "                               a terminal.",
                "      --parent=VHD           Make FILE a differencing child of VHD.",
                "  -q, --quiet                No progress bar and no summary line.",
                "      --size=SIZE            The disk size when RAW_IN is - (stdin must carry",
                "                               exactly that many bytes); with --parent it",
                "                               defaults to the parent's size (and must equal",
                "                               it).",
                "      --type=fixed|dynamic   Image type without --parent (default: dynamic).",
                "  -V, --version              Print version information and exit.");
        assertHelp("check",
                "Usage: vhdstream vhd check [-hV] [--debug] [--json] [--strict]",
                "                           [--allow-root=DIR]... FILE...",
                "Check images' structures and parent chains and report every problem found.",
                "Each problem is printed on a line of its own as",
                "  FILE: SEVERITY CODE [structure @offset] message",
                "then a summary line per file. Warnings are findings other tools tolerate (data",
                "reads correctly); they are printed but do not fail the check unless --strict is",
                "given. The parent is looked for as the chain-reading verbs do (--allow-root);",
                "checksum mismatches are always reported.",
                "      FILE...            The images.",
                "      --allow-root=DIR   Also resolve parents under DIR (repeatable); by",
                "                           default only under the image's directory.",
                "      --debug            On an error, also print the stack trace (to stderr).",
                "  -h, --help             Show this help message and exit.",
                "      --json             Print one JSON object per file, one per line:",
                "                           {\"version\":1,\"file\",\"clean\",\"errors\",\"warnings\",\"",
                "                           problems\":[{\"file\",\"code\",\"severity\",\"structure\",\"",
                "                           offset\",\"message\",\"fatal\"}]} ({\"version\":1,\"file\",\"",
                "                           error\":{\"code\",\"message\"}} for an unreadable file).",
                "      --strict           Warnings fail the check too (exit 1).",
                "  -V, --version          Print version information and exit.",
                "",
                "Exit codes (the worst file decides):",
                "  0   No errors: every file is clean or has only warnings (printed).",
                "  1   Errors were found in at least one file (or, with --strict, warnings).",
                "  2   A file is missing or cannot be read, or a usage error.");
        assertHelp("export",
                "Usage: vhdstream vhd export [-fhpqV] [--debug] [--lenient] [--sync]",
                "                            [--allow-root=DIR]... FILE RAW_OUT",
                "Write the whole virtual disk, read through the parent chain, to a raw file.",
                "RAW_OUT is created under a temporary name and renamed when complete (an",
                "existing file only with --force); ranges no layer holds stay holes (a sparse",
                "file). RAW_OUT '-' (or a FIFO, or a device) is written front to back, holes as",
                "zeros. The summary goes to stderr.",
                "      FILE               The (top) image.",
                "      RAW_OUT            The raw disk file to write, or - for stdout.",
                "      --allow-root=DIR   Also resolve parents under DIR (repeatable). By",
                "                           default parents are only looked for under the top",
                "                           image's own directory.",
                "      --debug            On an error, also print the stack trace (to stderr).",
                "  -f, --force            Replace RAW_OUT if it exists.",
                "  -h, --help             Show this help message and exit.",
                "      --lenient          Accept checksum mismatches in the footer or header of",
                "                           any layer.",
                "  -p, --progress         Show a progress bar on stderr even when it is not a",
                "                           terminal.",
                "  -q, --quiet            No progress bar and no summary line.",
                "      --sync             Make a raw OUT durable (fsync) before it gets its",
                "                           name; default: like qemu-img convert and cp, the",
                "                           page cache writes it back later.",
                "  -V, --version          Print version information and exit.");
        assertHelp("map",
                "Usage: vhdstream vhd map [-hV] [--debug] [--json] [--lenient]",
                "                         [--allow-root=DIR]... FILE",
                "Show where every extent of the virtual disk is read from: the layer of the",
                "chain (depth 0 is FILE itself) and the offset in that layer's file, or nowhere",
                "(zeros).",
                "Text: 'start length depth offset file' per extent held by a layer, 'start",
                "length - - zeros' otherwise.",
                "JSON (like qemu-img map --output=json, inside a versioned object): {\"version\":",
                "1,\"file\",\"layers\":[...],\"extents\":[{\"start\",\"length\",\"depth\",\"present\",\"zero\",\"",
                "data\",\"offset\"}]}; an extent no layer holds is the bottom layer's zeros, as",
                "qemu-img map reports a VHD's unallocated blocks: depth = the number of layers -",
                "1, present true, zero true, data false, no offset.",
                "      FILE               The (top) image.",
                "      --allow-root=DIR   Also resolve parents under DIR (repeatable). By",
                "                           default parents are only looked for under the top",
                "                           image's own directory.",
                "      --debug            On an error, also print the stack trace (to stderr).",
                "  -h, --help             Show this help message and exit.",
                "      --json             Print one JSON object (see above).",
                "      --lenient          Accept checksum mismatches in the footer or header of",
                "                           any layer.",
                "  -V, --version          Print version information and exit.");
        assertHelp("read",
                "Usage: vhdstream vhd read [-fhV] [--debug] [--lenient] --length=BYTES",
                "                          --offset=BYTES [--output=FILE] [--allow-root=DIR]...",
                "                          FILE",
                "Read a range of the virtual disk, through the parent chain, to stdout or",
                "--output.",
                "Offset and length are bytes (K, M, G, T suffixes allowed) and multiples of 512.",
                "      FILE               The (top) image.",
                "      --allow-root=DIR   Also resolve parents under DIR (repeatable). By",
                "                           default parents are only looked for under the top",
                "                           image's own directory.",
                "      --debug            On an error, also print the stack trace (to stderr).",
                "  -f, --force            Replace the --output file if it exists.",
                "  -h, --help             Show this help message and exit.",
                "      --length=BYTES     How much to read, a multiple of 512.",
                "      --lenient          Accept checksum mismatches in the footer or header of",
                "                           any layer.",
                "      --offset=BYTES     Where to start, a multiple of 512.",
                "      --output=FILE      Write here instead of stdout: a new file (renamed into",
                "                           place when complete; an existing one only with",
                "                           --force), a FIFO or device, or - for stdout.",
                "  -V, --version          Print version information and exit.");
        assertHelp("changed",
                "Usage: vhdstream vhd changed [-hV] [--debug] [--json] [--lenient] FILE",
                "List the extents present in this layer alone (a differencing image: what",
                "changed since its parent; a fixed image: the whole disk), in bytes, sorted and",
                "merged.",
                "Text: one 'offset length' line per extent, then a total.",
                "      FILE        The image (layer).",
                "      --debug     On an error, also print the stack trace (to stderr).",
                "  -h, --help      Show this help message and exit.",
                "      --json      Print {\"version\":1,\"file\":...,\"extents\":[{\"offset\":N,\"length\":",
                "                    N},...]}.",
                "      --lenient   Accept checksum mismatches in the footer or header.",
                "  -V, --version   Print version information and exit.");
        assertHelp("snapshot",
                "Usage: vhdstream vhd snapshot [-hpqV] [--debug] PARENT CHILD",
                "Create CHILD, a new differencing image whose parent is PARENT.",
                "PARENT stays as it is and must no longer be written: CHILD takes all later",
                "writes. CHILD records PARENT by relative (W2ru) and absolute (W2ku) path and by",
                "its unique id. PARENT is locked while CHILD is made: a PARENT another process",
                "is writing is refused (IMAGE_LOCKED).",
                "      PARENT       The existing image that becomes the parent.",
                "      CHILD        The differencing image to create (must not exist).",
                "      --debug      On an error, also print the stack trace (to stderr).",
                "  -h, --help       Show this help message and exit.",
                "  -p, --progress   Show a progress bar on stderr even when it is not a terminal.",
                "  -q, --quiet      No progress bar and no summary line.",
                "  -V, --version    Print version information and exit.");
        assertHelp("write",
                "Usage: vhdstream vhd write [-fhpqV] [--debug] [--input=FILE] --offset=BYTES",
                "                           [--allow-root=DIR]... FILE",
                "Write stdin (or --input) into the image at --offset. Only this image is",
                "written, never a parent.",
                "An image that others (in its directory or an --allow-root) use as their parent",
                "is refused without --force: writing into it would change what they read.",
                "The input must be a whole number of 512-byte sectors: an --input file is",
                "checked before anything is written; from stdin, a partial last sector is an",
                "error after the whole sectors before it were written.",
                "      FILE               The image to write (fixed, dynamic or differencing).",
                "      --allow-root=DIR   Also look for children of FILE under DIR (repeatable);",
                "                           its own directory is always searched.",
                "      --debug            On an error, also print the stack trace (to stderr).",
                "  -f, --force            Write even into an image that other images use as",
                "                           their parent.",
                "  -h, --help             Show this help message and exit.",
                "      --input=FILE       Read the data from FILE instead of stdin (- is stdin).",
                "      --offset=BYTES     Where to start, a multiple of 512.",
                "  -p, --progress         Show a progress bar on stderr even when it is not a",
                "                           terminal.",
                "  -q, --quiet            No progress bar and no summary line.",
                "  -V, --version          Print version information and exit.");
        assertHelp("create",
                "Usage: vhdstream vhd create [-hpqV] [--debug] [--block-size=SIZE] --size=SIZE",
                "                            [--type=fixed|dynamic] FILE",
                "Create a new, empty fixed or dynamic VHD image. FILE must not exist.",
                "      FILE                   The image to create.",
                "      --block-size=SIZE      Block size of a dynamic image: a power of two from",
                "                               512 to 1G (default: 2M).",
                "      --debug                On an error, also print the stack trace (to",
                "                               stderr).",
                "  -h, --help                 Show this help message and exit.",
                "  -p, --progress             Show a progress bar on stderr even when it is not",
                "                               a terminal.",
                "  -q, --quiet                No progress bar and no summary line.",
                "      --size=SIZE            Virtual disk size: bytes or K, M, G, T (binary), a",
                "                               multiple of 512, at most 2040G.",
                "      --type=fixed|dynamic   Image type (default: dynamic).",
                "  -V, --version              Print version information and exit.");
        assertHelp("repair",
                "Usage: vhdstream vhd repair [-hV] [--debug] FILE",
                "Fix what can be fixed without guessing at data: a damaged end footer from its",
                "copy (and the reverse), checksums of structures whose content is confirmed (two",
                "identical footer copies; a fixed disk's size matching its file), batmap bits",
                "that claim too much.",
                "Prints each action taken, then every problem of this file that remains, as",
                "check prints them.",
                "      FILE        The image to repair in place.",
                "      --debug     On an error, also print the stack trace (to stderr).",
                "  -h, --help      Show this help message and exit.",
                "  -V, --version   Print version information and exit.",
                "",
                "Exit codes:",
                "  0   The file has no errors left (warnings may remain, printed).",
                "  1   Errors remain (listed), or there was nothing to repair from.",
                "  2   Usage error.");
        assertHelp("compare",
                "Usage: vhdstream vhd compare [-hpqsV] [--debug] [--json] [--lenient]",
                "                             [--allow-root=DIR]... A B",
                "Compare the virtual disks of two images (VHDs read through their chains, or raw",
                "files).",
                "Without --strict, disks of different sizes are identical when the larger one",
                "reads as zeros past the smaller's end (as qemu-img compare).",
                "      A                  The first image.",
                "      B                  The second image.",
                "      --allow-root=DIR   Also resolve parents under DIR (repeatable). By",
                "                           default parents are only looked for under the top",
                "                           image's own directory.",
                "      --debug            On an error, also print the stack trace (to stderr).",
                "  -h, --help             Show this help message and exit.",
                "      --json             Print {\"version\":1,\"first\",\"second\",\"identical\",\"",
                "                           offset\",\"firstSize\",\"secondSize\",\"message\"}.",
                "      --lenient          Accept checksum mismatches in the footer or header of",
                "                           any layer.",
                "  -p, --progress         Show a progress bar on stderr even when it is not a",
                "                           terminal.",
                "  -q, --quiet            No progress bar and no summary line.",
                "  -s, --strict           Disks of different sizes differ.",
                "  -V, --version          Print version information and exit.",
                "",
                "Exit codes:",
                "  0   The disks are identical.",
                "  1   The disks differ (the first differing offset is printed).",
                "  2   An image could not be read, or a usage error.");
        assertHelp("convert",
                "Usage: vhdstream vhd convert [-fhpqV] [--debug] [--lenient] [--sync]",
                "                             [--block-size=SIZE] [--format=raw] [-O=vhd|raw]",
                "                             [--type=fixed|dynamic] [--allow-root=DIR]... IN OUT",
                "Copy the virtual disk of IN (a VHD, read through its chain, or a raw disk) into",
                "a new image OUT.",
                "  -O vhd (default): a fixed or dynamic VHD (--type, --block-size); a chain",
                "becomes one image, all-zero sectors are not stored;",
                "  -O raw: a raw disk (holes stay holes; OUT '-' writes to stdout front to back).",
                "OUT is written under a temporary name and renamed when complete; an existing",
                "OUT only with --force.",
                "      IN                     A VHD (top of its chain) or a raw disk.",
                "      OUT                    The image to write.",
                "      --allow-root=DIR       Also resolve parents under DIR (repeatable). By",
                "                               default parents are only looked for under the",
                "                               top image's own directory.",
                "      --block-size=SIZE      Block size of a dynamic OUT (default: 2M).",
                "      --debug                On an error, also print the stack trace (to",
                "                               stderr).",
                "  -f, --force                Replace OUT if it exists.",
                "      --format=raw           'raw': read IN as a raw disk even if it looks like",
                "                               a VHD.",
                "  -h, --help                 Show this help message and exit.",
                "      --lenient              Accept checksum mismatches in the footer or header",
                "                               of any layer.",
                "  -O, --output-format=vhd|raw",
                "                             Format of OUT (default: vhd).",
                "  -p, --progress             Show a progress bar on stderr even when it is not",
                "                               a terminal.",
                "  -q, --quiet                No progress bar and no summary line.",
                "      --sync                 Make a raw OUT durable (fsync) before it gets its",
                "                               name; default: like qemu-img convert and cp, the",
                "                               page cache writes it back later.",
                "      --type=fixed|dynamic   Type of a VHD OUT (default: dynamic).",
                "  -V, --version              Print version information and exit.");
        assertHelp("coalesce",
                "Usage: vhdstream vhd coalesce [-hpqV] [--debug] [--lenient]",
                "                              [--allow-root=DIR]... CHILD",
                "Merge a differencing image into its parent: exactly the sectors CHILD holds are",
                "written into the parent.",
                "CHILD is left in place and reads the same afterwards; other children of the",
                "parent see the change.",
                "      CHILD              The differencing image to merge.",
                "      --allow-root=DIR   Also resolve parents under DIR (repeatable). By",
                "                           default parents are only looked for under the top",
                "                           image's own directory.",
                "      --debug            On an error, also print the stack trace (to stderr).",
                "  -h, --help             Show this help message and exit.",
                "      --lenient          Accept checksum mismatches in the footer or header of",
                "                           any layer.",
                "  -p, --progress         Show a progress bar on stderr even when it is not a",
                "                           terminal.",
                "  -q, --quiet            No progress bar and no summary line.",
                "  -V, --version          Print version information and exit.");
        assertHelp("rebase",
                "Usage: vhdstream vhd rebase [-hpquV] [--debug] [--lenient]",
                "                            [--allow-root=DIR]... CHILD NEW_PARENT",
                "Make differencing image CHILD name NEW_PARENT as its parent (its unique id,",
                "timestamp, file name, and W2ru/W2ku locators).",
                "By default CHILD reads the same afterwards: every sector it does not hold that",
                "reads differently through NEW_PARENT than through its old parent is copied into",
                "it first (the old parent must be readable).",
                "With -u only the recorded link changes: for a parent that was moved or copied,",
                "or to record its current timestamp (the fix for PARENT_TIMESTAMP_MISMATCH:",
                "'vhdstream vhd rebase -u child.vhd parent.vhd').",
                "      CHILD              The differencing image to change.",
                "      NEW_PARENT         The image CHILD is to name as its parent.",
                "      --allow-root=DIR   Also resolve parents under DIR (repeatable). By",
                "                           default parents are only looked for under the top",
                "                           image's own directory.",
                "      --debug            On an error, also print the stack trace (to stderr).",
                "  -h, --help             Show this help message and exit.",
                "      --lenient          Accept checksum mismatches in the footer or header of",
                "                           any layer.",
                "  -p, --progress         Show a progress bar on stderr even when it is not a",
                "                           terminal.",
                "  -q, --quiet            No progress bar and no summary line.",
                "  -u, --unsafe           Change only the link; copy nothing (CHILD's content",
                "                           may change).",
                "  -V, --version          Print version information and exit.");
        assertHelp("resize",
                "Usage: vhdstream vhd resize [-fhpqV] [--debug] [--shrink] [--allow-root=DIR]...",
                "                            FILE [+|-]SIZE",
                "Change the virtual size of an image to SIZE (or by +SIZE / -SIZE). The new part",
                "reads as zeros.",
                "Shrinking needs --shrink (what lies past the new end is lost). An image other",
                "images use as their parent is refused without --force.",
                "      FILE               The image to resize in place.",
                "      [+|-]SIZE          The new size, or a change of size; K, M, G, T.",
                "      --allow-root=DIR   Also look for children of FILE under DIR.",
                "      --debug            On an error, also print the stack trace (to stderr).",
                "  -f, --force            Resize even an image that other images use as their",
                "                           parent.",
                "  -h, --help             Show this help message and exit.",
                "  -p, --progress         Show a progress bar on stderr even when it is not a",
                "                           terminal.",
                "  -q, --quiet            No progress bar and no summary line.",
                "      --shrink           Allow a smaller size.",
                "  -V, --version          Print version information and exit.");
        assertEquals(new Run(2, "", "vhdstream: USAGE: Missing required options: '--offset=BYTES', '--length=BYTES' (see 'vhdstream vhd read --help')"),
                run(false, new String[] {"vhd", "read", "x.vhd"}));
        assertEquals(new Run(2, "", "vhdstream: USAGE: Missing required parameter: 'FILE' (see 'vhdstream vhd info --help')"),
                run(false, new String[] {"vhd", "info"}));
        assertTrue(run(false, new String[] {"--help"}).out().endsWith(String.join("\n", "", "Exit codes:",
                "  0   Success.",
                "  1   Failure: an engine or I/O error (one line on stderr).",
                "  2   Usage or configuration error: bad arguments or settings, unaligned offset",
                "        or length.", "")));
        assertTrue(run(false, new String[] {"-V"}).out().startsWith("vhdstream "), "the root's version provider");
    }

    /** {@code vhd VERB --help} prints exactly these lines. */
    private static void assertHelp(String verb, String... lines) {
        assertEquals(String.join("\n", lines) + "\n", run(false, new String[] {"vhd", verb, "--help"}).out(), verb);
    }

    private static List<String> names(CommandLine cli) {
        return List.copyOf(cli.getSubcommands().keySet());
    }

    private static Terminal terminal() {
        return new Terminal(InputStream.nullInputStream(), new ByteArrayOutputStream(), new ByteArrayOutputStream(), false);
    }

    private static void collect(Node n, List<Node> into) {
        into.add(n);
        for (Node c : n.children()) {
            collect(c, into);
        }
    }
}
