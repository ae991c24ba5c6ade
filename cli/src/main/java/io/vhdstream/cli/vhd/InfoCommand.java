package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CodedCommand;
import io.vhdstream.cli.Models;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.ErrorHandler;
import io.vhdstream.cli.ExitCodes;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.cli.util.Text;
import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.batmap.Batmap;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.footer.Footer;
import io.vhdstream.vhd.footer.Geometry;
import io.vhdstream.vhd.header.DynamicHeader;
import io.vhdstream.vhd.image.ImageStructure;
import io.vhdstream.vhd.image.LocatorEntry;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.SparseImage;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.VhdTime;
import io.vhdstream.vhd.locator.ParentLocator;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code vhdstream vhd info FILE [--json]}: footer, dynamic header, locators and the parent chain. A chain
 * that cannot be resolved (parent missing, outside the allowed roots, wrong id) is shown, not fatal. The
 * commonest short command, so its model is written in code ({@link CodedCommand}).
 */
public final class InfoCommand extends VerbCommand implements CodedCommand {
    private Models.Value<List<Path>> files;
    private Models.Value<Boolean> json;
    private ChainOptionsMixin chainOptions;

    @Override
    public CommandSpec model() {
        spec = Models.command(this, "info", "Show an image's footer, dynamic header, parent locators and parent chain.",
                "A differencing image whose parent cannot be resolved is still shown (exit 0), with the reason in the"
                        + " chain section.");
        files = Models.positionals(spec, "0", "1..*", "FILE", Path.class, "The images.");
        json = Models.flag(spec, "--json", "Print one JSON object per file, one per line, instead of text.");
        chainOptions = ChainOptionsMixin.declareOn(spec);
        return spec;
    }

    /** The parent chain as far as it resolved: layer paths top first, or the error that stopped it. */
    record ChainInfo(List<Path> layers, List<Problem> warnings, String errorCode, String errorMessage) {
    }

    /**
     * Each file in turn; one that cannot be opened gets its error line (and JSON error document) and the
     * others are still shown. Exit 0 when every file was shown, else the worst failure's status.
     */
    @Override
    public Integer call() throws IOException {
        List<Path> files = this.files.value();
        if (files.size() == 1) {
            show(files.get(0));
            return ExitCodes.OK;
        }
        int worst = ExitCodes.OK;
        for (int i = 0; i < files.size(); i++) {
            if (i > 0 && !json.value()) {
                out().println();
            }
            try {
                show(files.get(i));
            } catch (IOException | RuntimeException e) {
                worst = Math.max(worst, ErrorHandler.report(spec.commandLine(), e, json.value(), debug()));
            }
        }
        return worst;
    }

    private void show(Path file) throws IOException {
        ChainOptions options = chainOptions.forImage(file);
        try (VhdImage img = VhdImage.open(file, chainOptions.lenient() ? OpenOptions.LENIENT_READ : OpenOptions.READ)) {
            ChainInfo chain = chain(file, img, options);
            if (json.value()) {
                InfoJson.print(out(), img, chain);
            } else {
                text(img, chain, out());
            }
        }
    }

    private static ChainInfo chain(Path file, VhdImage img, ChainOptions options) {
        if (img.type() != DiskType.DIFFERENCING) {
            return new ChainInfo(List.of(img.path()), List.of(), null, null);
        }
        try (VhdChain chain = VhdChain.open(file, options, false)) {
            List<Path> layers = new ArrayList<>();
            for (VhdImage l : chain.layers()) {
                layers.add(l.path());
            }
            return new ChainInfo(layers, chain.warnings(), null, null);
        } catch (VhdException e) {
            return new ChainInfo(List.of(), List.of(), e.code().name(), e.detail());
        } catch (IOException e) {
            return new ChainInfo(List.of(), List.of(), ProblemCode.IO_ERROR.name(), String.valueOf(e.getMessage()));
        }
    }

    // ---- text -------------------------------------------------------------------------------------------

    private static void text(VhdImage img, ChainInfo chain, PrintWriter out) {
        Footer f = img.footer();
        ImageStructure s = img.structure();
        Geometry g = f.geometry();
        row(out, "file", img.path().toString());
        row(out, "type", typeName(img.type()));
        row(out, "virtual size", Sizes.withHuman(img.virtualSize()) + "   geometry C/H/S " + g + " = " + g.sizeBytes() + " bytes");
        row(out, "creator", "\"" + f.creatorApplication() + "\" version " + version(f.creatorVersion())
                + ", host \"" + f.creatorHostOs() + "\"");
        row(out, "unique id", f.uniqueId().toString());
        row(out, "timestamp", time(f.timestamp()));
        row(out, "saved state", savedState(f.savedState()));
        row(out, "checksum", checksum(f.checksumValid(), f.storedChecksum(), f.computedChecksum())
                + (s.footerFromCopy() ? " (footer copy at offset 0: the end footer is damaged)" : ""));
        row(out, "data offset", f.dataOffset() == Footer.FIXED_DATA_OFFSET ? "none (all ones)" : Long.toString(f.dataOffset()));
        if (img instanceof SparseImage sp) {
            DynamicHeader h = sp.header();
            row(out, "block size", Sizes.withHuman(sp.blockSize()));
            row(out, "max table entries", Long.toString(h.maxTableEntries()));
            row(out, "allocated blocks", Integer.toString(sp.allocatedBlocks()));
            row(out, "BAT offset", Long.toString(h.tableOffset()));
            row(out, "header checksum", checksum(h.checksumValid(), h.storedChecksum(), h.computedChecksum()));
            Batmap bm = s.batmap();
            row(out, "batmap", bm == null ? "absent" : "present at " + s.batmapHeaderOffset() + ", map " + bm.mapSectors()
                    + " sectors at " + bm.mapOffset() + ", version " + version(bm.version())
                    + ", checksum " + (bm.checksumValid() ? "ok" : "BAD"));
            if (img.type() == DiskType.DIFFERENCING) {
                row(out, "parent unique id", h.parentUniqueId().toString());
                row(out, "parent timestamp", time(h.parentTimestamp()));
                row(out, "parent name", h.parentUnicodeName());
            }
            if (img.type() == DiskType.DIFFERENCING || !s.locators().isEmpty()) {
                if (s.locators().isEmpty()) {
                    row(out, "locators", "none");
                } else {
                    out.println("locators:");
                    for (LocatorEntry e : s.locators()) {
                        ParentLocator l = e.locator();
                        String path = e.path();
                        String platform = l.platformName();
                        out.println(Text.printable("  slot " + e.slot() + "  " + platform + " ".repeat(Math.max(0, 4 - platform.length()))
                                + "  data offset " + l.dataOffset() + "  space " + l.dataSpaceBytes() + " bytes  length " + l.dataLength()
                                + "  " + (path == null ? "(no readable path)" : path)));
                    }
                }
            }
        }
        if (!s.problems().isEmpty()) {
            row(out, "problems", s.problems().size() + " found while opening (see 'vhdstream vhd check')");
        }
        if (chain.errorCode() != null) {
            row(out, "chain", "not resolved: " + chain.errorCode() + ": " + chain.errorMessage());
        } else {
            out.println("chain:");
            for (int i = 0; i < chain.layers().size(); i++) {
                out.println(Text.printable("  " + i + "  " + chain.layers().get(i)));
            }
            for (Problem w : chain.warnings()) {
                out.println(Text.printable("  warning: " + w.code() + ": " + w.message()));
            }
        }
    }

    private static void row(PrintWriter out, String key, String value) {
        // no String.format on this path: java.util.Formatter's start-up cost is a visible part of a short command
        String label = key + ":";
        out.println(Text.printable(label + " ".repeat(Math.max(1, 19 - label.length())) + value));
    }

    static String typeName(DiskType t) {
        return t.name().toLowerCase(Locale.ROOT);
    }

    static String version(int v) {
        return (v >>> 16) + "." + (v & 0xFFFF);
    }

    private static String time(long vhdSeconds) {
        return VhdTime.iso(vhdSeconds) + " (" + vhdSeconds + " s after 2000-01-01)";
    }

    private static String savedState(int s) {
        return s == 0 ? "no" : s == 1 ? "yes" : "invalid (" + s + ")";
    }

    private static String checksum(boolean ok, int stored, int computed) {
        return ok ? "ok (" + hex(stored) + ")" : "BAD: stored " + hex(stored) + ", content sums to " + hex(computed);
    }

    private static String hex(int v) {
        String h = Integer.toHexString(v);
        return "0x" + "0".repeat(8 - h.length()) + h;
    }
}
