package io.vhdstream.cli.vhd;

import io.vhdstream.cli.ExitCodes;
import io.vhdstream.vhd.Severity;
import io.vhdstream.vhd.check.CheckReport;

/**
 * The exit status of a check, the contract scripts rely on: 0 clean or warnings only, 1 errors (or warnings
 * under {@code --strict}); 2, a file that cannot be read, is decided before a report exists.
 */
final class CheckStatus {
    private CheckStatus() {
    }

    static int of(CheckReport r, boolean strict) {
        if (errors(r) > 0 || (strict && !r.clean())) {
            return ExitCodes.FAILURE;
        }
        return ExitCodes.OK;
    }

    static long errors(CheckReport r) {
        return r.problems().stream().filter(p -> p.severity() == Severity.ERROR).count();
    }
}
