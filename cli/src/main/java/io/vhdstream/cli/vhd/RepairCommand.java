package io.vhdstream.cli.vhd;

import io.vhdstream.cli.ExitCodes;
import io.vhdstream.cli.CodedCommand;
import io.vhdstream.cli.Models;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.Text;
import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.repair.VhdRepairer;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code vhdstream vhd repair FILE}: the safe fixes, each reported; then what is still wrong, if anything. */
public final class RepairCommand extends VerbCommand implements CodedCommand {
    private Models.Value<Path> file;

    @Override
    public CommandSpec model() {
        spec = Models.command(this, "repair", "Fix what can be fixed without guessing at data: a damaged end footer from its copy (and the"
                        + " reverse), checksums of structures whose content is confirmed (two identical footer copies; a fixed"
                        + " disk's size matching its file), batmap bits that claim too much.",
                "Prints each action taken, then every problem of this file that remains, as check prints them.");
        Models.exitCodes(spec, "%nExit codes:%n", "0:The file has no errors left (warnings may remain, printed).",
                "1:Errors remain (listed), or there was nothing to repair from.", "2:Usage error.");
        file = Models.positional(spec, "0", "FILE", Path.class, "The image to repair in place.");
        return spec;
    }

    @Override
    public Integer call() throws IOException {
        Path file = this.file.value();
        VhdRepairer.Result r = VhdRepairer.run(file);
        if (r.actions().isEmpty()) {
            out().println(file + ": nothing to repair");
        }
        for (String a : r.actions()) {
            out().println(Text.oneLine(file + ": repaired: " + a));
        }
        // The parent chain is not repair's business (check reports it): only this file's own structures.
        List<Problem> left = r.remaining();
        for (Problem p : left) {
            out().println(Text.oneLine(file + ": " + p));
        }
        long errors = left.stream().filter(p -> p.severity() == io.vhdstream.vhd.Severity.ERROR).count();
        if (!left.isEmpty()) {
            out().println(file + ": " + left.size() + (left.size() == 1 ? " problem remains" : " problems remain")
                    + " (" + errors + (errors == 1 ? " error)" : " errors)"));
        } else if (!r.actions().isEmpty()) {
            out().println(file + ": clean");
        }
        return errors > 0 ? ExitCodes.FAILURE : ExitCodes.OK;
    }
}
