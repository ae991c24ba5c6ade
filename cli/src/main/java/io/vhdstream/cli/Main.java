package io.vhdstream.cli;

/** The {@code vhdstream} entry point. Everything else lives in {@link Cli}, which tests use too. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(Cli.run(Terminal.system(), args));
    }
}
