package io.vhdstream.cli;

import io.vhdstream.cli.demo.BrokerCommand;
import io.vhdstream.cli.demo.DemoCommand;
import io.vhdstream.cli.demo.SoakCommand;
import io.vhdstream.cli.kafka.ProduceCommand;
import io.vhdstream.cli.kafka.RebuildCommand;
import io.vhdstream.cli.kafka.TopologyCommand;
import io.vhdstream.cli.nbd.NbdCommand;
import io.vhdstream.cli.nbd.NbdServeCommand;
import io.vhdstream.cli.nbd.NbdSnapshotCommand;
import io.vhdstream.cli.ops.DeadLettersCommand;
import io.vhdstream.cli.ops.DiskCreateCommand;
import io.vhdstream.cli.ops.DiskDeleteCommand;
import io.vhdstream.cli.ops.DiskGroupCommand;
import io.vhdstream.cli.ops.DiskListCommand;
import io.vhdstream.cli.ops.DiskShowCommand;
import io.vhdstream.cli.ops.DiskSnapshotCommand;
import io.vhdstream.cli.ops.TopicsCommand;
import io.vhdstream.cli.vhd.ChangedCommand;
import io.vhdstream.cli.vhd.CheckCommand;
import io.vhdstream.cli.vhd.CoalesceCommand;
import io.vhdstream.cli.vhd.CompareCommand;
import io.vhdstream.cli.vhd.ConvertCommand;
import io.vhdstream.cli.vhd.CreateCommand;
import io.vhdstream.cli.vhd.ExportCommand;
import io.vhdstream.cli.vhd.ImportCommand;
import io.vhdstream.cli.vhd.InfoCommand;
import io.vhdstream.cli.vhd.MapCommand;
import io.vhdstream.cli.vhd.MeasureCommand;
import io.vhdstream.cli.vhd.ReadCommand;
import io.vhdstream.cli.vhd.RebaseCommand;
import io.vhdstream.cli.vhd.RepairCommand;
import io.vhdstream.cli.vhd.ResizeCommand;
import io.vhdstream.cli.vhd.SnapshotCommand;
import io.vhdstream.cli.vhd.VhdCommand;
import io.vhdstream.cli.vhd.WriteCommand;
import picocli.CommandLine.HelpCommand;

import java.util.List;

/**
 * Every command of {@code vhdstream}: the one place where a command is registered.
 *
 * <p><b>To add a command</b>, write its class (a {@link VerbCommand} with {@code @Command(name = "x", ...)},
 * see cli/README-cli.md) and add one line to {@link #TREE}: {@code verb("x", XCommand.class)} inside the
 * group it belongs to, or a new {@code group("y", YCommand.class, verb(...), ...)} at the top level. The name
 * given here must be the annotation's name (CommandsTest checks both ways). The commands on the path of short
 * commands ({@code vhdstream}, {@code vhd}) and every {@code vhd} verb (short verbs scripts run in loops)
 * declare their model in code instead ({@link CodedCommand}): do that only for a verb whose start-up is most of
 * its run. Do not list
 * subcommands in a group's {@code @Command(subcommands = ...)}: picocli would then build all of them on every
 * start. A verb that is not a group here may still declare its own small subcommands in its annotation (as
 * {@code produce} does); they are built whenever the verb is.
 *
 * <p>Why a list and not picocli's {@code subcommands} attribute: picocli builds the model of every command
 * it is given by reflection (annotations, fields, converters), which cost most of the start-up of a short
 * command. {@link Cli} builds only the commands on the path the arguments name ({@code vhdstream vhd info}:
 * the root, {@code vhd} and {@code info}); help, an unknown or missing verb and anything it is unsure about
 * get the whole subtree, so what the user sees is the same either way.
 */
public final class Commands {
    private Commands() {
    }

    /** A command: its name, its class, and (for a group) its subcommands in the order help lists them. */
    public record Node(String name, Class<?> type, List<Node> children) {
        public boolean isGroup() {
            return !children.isEmpty();
        }

        public List<String> childNames() {
            return children.stream().map(Node::name).toList();
        }

        /** The subcommand called {@code name}, or null. */
        public Node child(String name) {
            for (Node c : children) {
                if (c.name.equals(name)) {
                    return c;
                }
            }
            return null;
        }
    }

    static Node verb(String name, Class<?> type) {
        return new Node(name, type, List.of());
    }

    static Node group(String name, Class<?> type, Node... children) {
        return new Node(name, type, List.of(children));
    }

    /** The command tree; the root is {@code vhdstream} itself. */
    public static final Node TREE = group("vhdstream", VhdstreamCommand.class,
            group("vhd", VhdCommand.class,
                    verb("create", CreateCommand.class),
                    verb("snapshot", SnapshotCommand.class),
                    verb("info", InfoCommand.class),
                    verb("check", CheckCommand.class),
                    verb("read", ReadCommand.class),
                    verb("write", WriteCommand.class),
                    verb("export", ExportCommand.class),
                    verb("import", ImportCommand.class),
                    verb("changed", ChangedCommand.class),
                    verb("coalesce", CoalesceCommand.class),
                    verb("repair", RepairCommand.class),
                    verb("rebase", RebaseCommand.class),
                    verb("compare", CompareCommand.class),
                    verb("map", MapCommand.class),
                    verb("convert", ConvertCommand.class),
                    verb("resize", ResizeCommand.class),
                    verb("measure", MeasureCommand.class),
                    verb("help", HelpCommand.class)),
            verb("demo", DemoCommand.class),
            verb("soak", SoakCommand.class),
            verb("broker", BrokerCommand.class),
            verb("topology", TopologyCommand.class),
            verb("produce", ProduceCommand.class),
            verb("rebuild", RebuildCommand.class),
            group("nbd", NbdCommand.class,
                    verb("serve", NbdServeCommand.class),
                    verb("snapshot", NbdSnapshotCommand.class),
                    verb("help", HelpCommand.class)),
            verb("topics", TopicsCommand.class),
            group("disk", DiskGroupCommand.class,
                    verb("create", DiskCreateCommand.class),
                    verb("snapshot", DiskSnapshotCommand.class),
                    verb("delete", DiskDeleteCommand.class),
                    verb("list", DiskListCommand.class),
                    verb("show", DiskShowCommand.class),
                    verb("help", HelpCommand.class)),
            verb("dead-letters", DeadLettersCommand.class),
            verb("help", HelpCommand.class));
}
