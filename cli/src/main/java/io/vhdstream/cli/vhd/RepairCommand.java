package io.vhdstream.cli.vhd;

import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.Text;
import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.check.VhdChecker;
import io.vhdstream.vhd.repair.VhdRepairer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code vhdstream vhd repair FILE}: the safe fixes, each reported; then what is still wrong, if anything. */
@Command(name = "repair", mixinStandardHelpOptions = true,
        description = {"Fix what can be fixed without guessing at data: a damaged end footer from its copy (and the"
                + " reverse), checksums of otherwise sound structures, batmap bits that claim too much.",
            "Prints each action taken; anything it cannot fix is left alone (see 'vhdstream vhd check')."})
public final class RepairCommand extends VerbCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The image to repair in place.")
    Path file;

    @Override
    public Integer call() throws IOException {
        List<String> actions = VhdRepairer.repair(file);
        if (actions.isEmpty()) {
            out().println(file + ": nothing to repair");
        }
        for (String a : actions) {
            out().println(Text.oneLine("repaired: " + a));
        }
        // The parent chain is not repair's business (and may need --allow-root): count only this file's problems.
        List<Problem> left = VhdChecker.check(file, ChainOptions.forImage(file)).problems().stream()
                .filter(p -> !"chain".equals(p.structure())).toList();
        if (!left.isEmpty()) {
            out().println(file + ": " + left.size() + (left.size() == 1 ? " problem remains" : " problems remain")
                    + "; see 'vhdstream vhd check " + file + "'");
        }
        return 0;
    }
}
