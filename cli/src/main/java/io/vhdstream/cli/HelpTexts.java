package io.vhdstream.cli;

import io.vhdstream.cli.Commands.Node;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.HelpCommand;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The help texts of the {@code vhdstream} commands as picocli printed them, recorded by the launcher's start-up
 * training next to the start-up archive and printed from there: picocli lays a help text out in interpreted
 * code (tables, wrapping, formatting), which made every {@code --help} cost 2.4x {@code java -version} against
 * 1.8x for {@code vhd info} (docs/benchmarks.md). Only the exact requests {@link #requests} lists are served
 * (a command's {@code --help} or {@code -h}, a group's {@code help} and {@code help VERB}), only with the
 * directory the launcher names ({@value #DIR_PROPERTY}, made with the archive from the same jar, so never stale)
 * and only when no {@code picocli.*} setting of the user's could change the text; everything else is picocli's.
 */
public final class HelpTexts {
    /** The directory of recorded texts; set by the launcher when it is as fresh as the start-up archive. */
    public static final String DIR_PROPERTY = "vhdstream.help.dir";

    private HelpTexts() {
    }

    /** Every request served from a recording: the argument lists, as the user types them. */
    static List<List<String>> requests() {
        List<List<String>> out = new ArrayList<>();
        collect(Commands.TREE, new ArrayList<>(), out);
        return out;
    }

    private static void collect(Node node, List<String> path, List<List<String>> out) {
        for (String flag : List.of("--help", "-h")) {
            List<String> r = new ArrayList<>(path);
            r.add(flag);
            out.add(r);
        }
        if (node.isGroup()) {
            List<String> help = new ArrayList<>(path);
            help.add("help");
            out.add(help);
        }
        for (Node child : node.children()) {
            if (child.type() == HelpCommand.class) {
                continue;
            }
            List<String> r = new ArrayList<>(path);
            r.add("help");
            r.add(child.name());
            out.add(r);
            List<String> p = new ArrayList<>(path);
            p.add(child.name());
            collect(child, p, out);
        }
    }

    /**
     * Prints the recorded text for {@code args} to {@code terminal}'s stdout and returns true; false (nothing
     * printed) when {@code args} is not such a request or no recording applies.
     */
    static boolean print(Terminal terminal, String[] args) {
        String dir = System.getProperty(DIR_PROPERTY);
        if (dir == null || !asksForHelp(args) || !requests().contains(List.of(args)) || userSetsPicocli()) {
            return false;
        }
        byte[] text;
        try {
            text = Files.readAllBytes(file(Path.of(dir), List.of(args), Ansi.AUTO.enabled()));
        } catch (IOException e) {
            return false; // not recorded (a training that stopped early): picocli prints it
        }
        try {
            terminal.out().write(text);
            terminal.out().flush();
        } catch (IOException e) {
            // printed as far as stdout took it (a reader that went away): picocli's writer ignores that too
        }
        return true;
    }

    /** A quick test before {@link #requests}, so that other commands pay nothing. */
    private static boolean asksForHelp(String[] args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h") || a.equals("help")) {
                return true;
            }
        }
        return false;
    }

    /** A {@code picocli.*} system property other than {@link Cli}'s own (ANSI, width, ...) may change the text. */
    private static boolean userSetsPicocli() {
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("picocli.") && !name.equals("picocli.disable.closures") && !name.equals("picocli.converters.excludes")) {
                return true;
            }
        }
        return false;
    }

    /** Where the text of {@code request} is kept, with ANSI styles or without. */
    static Path file(Path dir, List<String> request, boolean ansi) {
        return dir.resolve(String.join("+", request) + (ansi ? ".ansi" : "") + ".txt");
    }

    /**
     * Runs every request through picocli, plain and (picocli's {@code picocli.ansi=true}) styled as on a terminal,
     * and writes what it printed into {@code dir}; returns the requests that did not print their help (exit 0,
     * nothing on stderr), which are not recorded.
     */
    public static List<String> record(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> failed = new ArrayList<>();
        String before = System.getProperty("picocli.ansi");
        try {
            for (List<String> request : requests()) {
                for (boolean ansi : new boolean[] {false, true}) {
                    System.setProperty("picocli.ansi", String.valueOf(ansi));
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    ByteArrayOutputStream err = new ByteArrayOutputStream();
                    int exit = Cli.run(new Terminal(InputStream.nullInputStream(), out, err, false), request.toArray(new String[0]));
                    if (exit != 0 || err.size() > 0) {
                        failed.add(String.join(" ", request) + ": exit " + exit);
                        continue;
                    }
                    try (OutputStream f = Files.newOutputStream(file(dir, request, ansi))) {
                        out.writeTo(f);
                    }
                }
            }
        } finally {
            if (before == null) {
                System.clearProperty("picocli.ansi");
            } else {
                System.setProperty("picocli.ansi", before);
            }
        }
        // print one as the launcher's runs will (the training's class list then holds what that loads)
        List<String> info = List.of("vhd", "info", "--help");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setProperty(DIR_PROPERTY, dir.toString());
        try {
            if (!print(new Terminal(InputStream.nullInputStream(), out, OutputStream.nullOutputStream(), false), info.toArray(new String[0]))
                    || !java.util.Arrays.equals(out.toByteArray(), Files.readAllBytes(file(dir, info, false)))) {
                failed.add(String.join(" ", info) + ": not printed from the recording");
            }
        } finally {
            System.clearProperty(DIR_PROPERTY);
        }
        return failed;
    }
}
