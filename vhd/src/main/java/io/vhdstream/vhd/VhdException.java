package io.vhdstream.vhd;

import java.io.IOException;

/**
 * The one checked error type of the engine. Untrusted images and bad requests end here with a stable
 * {@link ProblemCode}, so callers can branch on the code and users see one clear line.
 */
public class VhdException extends IOException {
    private static final long serialVersionUID = 1L;
    private final ProblemCode code;

    public VhdException(ProblemCode code, String message) {
        super(message);
        this.code = code;
    }

    public VhdException(ProblemCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ProblemCode code() {
        return code;
    }

    @Override
    public String getMessage() {
        return code + ": " + super.getMessage();
    }

    /** The message without the code prefix. */
    public String detail() {
        return super.getMessage();
    }
}
