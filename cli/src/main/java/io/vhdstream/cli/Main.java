package io.vhdstream.cli;

import picocli.CommandLine;

/** The {@code vhdstream} entry point. Everything else lives in {@link Cli}, which tests use too. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        CommandLine cli = Cli.commandLine(Terminal.system());
        int code = Cli.execute(cli, args);
        System.exit(code);
    }
}
