package io.vhdstream.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The short commands a user runs, run once in one JVM on small scratch images, so that the launcher can
 * record the classes they load and put them into the class-data-sharing archive it starts short commands
 * with (see the {@code vhdstream} script and docs/decisions.md). Nothing here changes behaviour; a command
 * missing from this list only starts a little slower. {@code StartupTest} checks that every one succeeds.
 *
 * <p>Usage: {@code java [-Dvhdstream.help.record=HELP_DIR] -cp vhdstream-cli.jar io.vhdstream.cli.StartupTraining [DIR]};
 * exit 0 when every command succeeded, 1 otherwise (the failed ones are named on stderr). With the property, the
 * help texts are also recorded into HELP_DIR ({@link HelpTexts}).
 */
public final class StartupTraining {
    /** Where to record the help texts ({@link HelpTexts}), when the launcher asks for them. */
    static final String RECORD_HELP = "vhdstream.help.record";

    private StartupTraining() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("vhdstream-training");
        List<String> failed;
        try {
            failed = run(Files.createTempDirectory(dir, "t"));
            String help = System.getProperty(RECORD_HELP);
            if (help != null) {
                failed.addAll(HelpTexts.record(Path.of(help)));
            }
        } finally {
            if (args.length == 0) {
                io.vhdstream.vhd.io.Directories.deleteTree(dir);
            }
        }
        for (String f : failed) {
            System.err.println("vhdstream training: failed: " + f);
        }
        System.exit(failed.isEmpty() ? 0 : 1);
    }

    /** Runs the commands in {@code dir} (which must be empty); returns the ones that did not exit as expected. */
    public static List<String> run(Path dir) throws IOException {
        String base = dir.resolve("base.vhd").toString();
        String child = dir.resolve("child.vhd").toString();
        String fixed = dir.resolve("fixed.vhd").toString();
        String raw = dir.resolve("disk.raw").toString();
        byte[] data = new byte[1 << 20];
        for (int i = 0; i < data.length; i += 4096) {
            data[i] = (byte) (i >>> 12 | 1);
        }
        List<String> failed = new ArrayList<>();
        // the launcher starts Main, which the commands below never touch: loading it (not initialising it) puts
        // it into the archive too
        Class<?> launched = Main.class;
        List<String[]> commands = List.of(
                a("--help"), a("--version"), a("vhd", "--help"), a("vhd", "info", "--help"),
                a("vhd", "create", base, "--size", "64M"),
                a("vhd", "create", fixed, "--size", "4M", "--type", "fixed"),
                a("vhd", "write", base, "--offset", "1M"),
                a("vhd", "snapshot", base, child),
                a("vhd", "write", child, "--offset", "3M"),
                a("vhd", "info", child), a("vhd", "info", "--json", child),
                a("vhd", "check", child), a("vhd", "check", "--json", child),
                a("vhd", "changed", child), a("vhd", "changed", "--json", child),
                a("vhd", "read", child, "--offset", "1M", "--length", "1M"),
                a("vhd", "export", child, raw),
                a("vhd", "import", raw, dir.resolve("imported.vhd").toString()),
                a("vhd", "import", raw, dir.resolve("diff.vhd").toString(), "--parent", child),
                a("vhd", "map", child), a("vhd", "map", "--json", child),
                a("vhd", "compare", child, child), a("vhd", "compare", "--json", child, raw),
                a("vhd", "convert", child, dir.resolve("converted.vhd").toString()),
                a("vhd", "convert", "-O", "raw", child, dir.resolve("converted.raw").toString()),
                a("vhd", "resize", fixed, "+1M"),
                a("vhd", "measure", child), a("vhd", "measure", "--json", "--size", "1G"),
                a("vhd", "rebase", "-u", child, base),
                a("vhd", "coalesce", child),
                a("vhd", "repair", base));
        List<String[]> all = new ArrayList<>(commands);
        // every verb's help, and the usage errors a user meets first (exit 2)
        List<String[]> usageErrors = List.of(a(), a("vhd"), a("vhd", "bogus"), a("vhd", "info"), a("vhd", "read", base, "--offset", "1"));
        for (Commands.Node verb : Commands.TREE.child("vhd").children()) {
            all.add(a("vhd", verb.name(), "--help"));
        }
        all.addAll(usageErrors);
        for (String[] c : all) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Terminal t = new Terminal(new ByteArrayInputStream(data), OutputStream.nullOutputStream(), err, false);
            int expected = usageErrors.contains(c) ? ExitCodes.USAGE : ExitCodes.OK;
            int exit = Cli.run(t, c);
            if (exit != expected) {
                failed.add(String.join(" ", c) + ": exit " + exit + ": " + err.toString(StandardCharsets.UTF_8).strip());
            }
        }
        return failed;
    }

    private static String[] a(String... args) {
        return args;
    }
}
