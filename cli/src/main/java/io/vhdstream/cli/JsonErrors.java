package io.vhdstream.cli;

import io.vhdstream.cli.json.JsonOutput;

import java.io.PrintWriter;

/** The error document for runs with {@code --json}; a class of its own so that Jackson loads only then. */
final class JsonErrors {
    private JsonErrors() {
    }

    static void print(PrintWriter out, String code, String message) {
        JsonOutput.printError(out, code, message);
        out.flush();
    }
}
