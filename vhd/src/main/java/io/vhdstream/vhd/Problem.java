package io.vhdstream.vhd;

/**
 * One finding about an image: what is wrong ({@code code}), where ({@code structure} and byte {@code offset},
 * -1 when it has no single place), and whether reads can still be trusted ({@code fatal} = they cannot).
 */
public record Problem(ProblemCode code, Severity severity, String structure, long offset, String message, boolean fatal) {

    public VhdException toException() {
        return new VhdException(code, message);
    }

    @Override
    public String toString() {
        return severity + " " + code + " [" + structure + (offset >= 0 ? " @" + offset : "") + "] " + message;
    }
}
