package io.vhdstream.cli.json;

import io.vhdstream.vhd.Problem;

import java.nio.file.Path;

/**
 * One finding, in every verb that reports findings ({@code check}, {@code info}, chain warnings): the file it
 * is about (absolute), its stable code, {@code WARNING} or {@code ERROR}, the structure and byte offset (left
 * out when it has no single place), the message, and whether reads through the file can be trusted.
 */
public record ProblemJson(String file, String code, String severity, String structure, Long offset, String message,
                          boolean fatal) {

    public static ProblemJson of(Path file, Problem p) {
        return new ProblemJson(file.toAbsolutePath().toString(), p.code().name(), p.severity().name(), p.structure(),
                p.offset() >= 0 ? p.offset() : null, p.message(), p.fatal());
    }
}
