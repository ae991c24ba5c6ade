package io.vhdstream.vhd.interop;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * qemu-img and qemu-io (Debian qemu-utils 7.2) as an oracle for the {@code vpc} format. Always passes
 * {@code -f vpc}: QEMU's format probing does not recognise fixed VHDs (their only footer is at the end).
 */
public final class QemuTool {
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final String HINT = "qemu-img and qemu-io come from Debian's qemu-utils (./run-tests installs them); "
            + "the interop tests need them and do not skip without them";
    private static final Pattern VIRTUAL_SIZE = Pattern.compile("\"virtual-size\"\\s*:\\s*(\\d+)");
    /** qemu-img's exit code for "this format does not support checks". */
    public static final int CHECK_UNSUPPORTED = 63;

    private QemuTool() {
    }

    public static Proc.Result img(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("qemu-img");
        cmd.addAll(List.of(args));
        return Proc.run(HINT, TIMEOUT, cmd);
    }

    /** {@code qemu-img create -f vpc -o subformat=...[,force_size=on] path size}. */
    public static void create(Path path, String subformat, String size, boolean forceSize) {
        img("create", "-q", "-f", "vpc", "-o", "subformat=" + subformat + (forceSize ? ",force_size=on" : ""),
                path.toString(), size).requireOk();
    }

    /** The virtual size qemu-img info reports. */
    public static long virtualSize(Path vhd) {
        Proc.Result r = img("info", "-f", "vpc", "--output=json", vhd.toString()).requireOk();
        Matcher m = VIRTUAL_SIZE.matcher(r.stdout());
        if (!m.find()) {
            throw new AssertionError("no virtual-size in: " + r.describe());
        }
        return Long.parseLong(m.group(1));
    }

    /** {@code qemu-img convert -f vpc -O raw}: the disk as QEMU reads it. */
    public static void convertToRaw(Path vhd, Path raw) {
        img("convert", "-f", "vpc", "-O", "raw", vhd.toString(), raw.toString()).requireOk();
    }

    public static Proc.Result check(Path vhd) {
        return img("check", "-f", "vpc", vhd.toString());
    }

    /** One {@code qemu-io} write of {@code length} bytes of {@code pattern} at any byte offset. */
    public record Write(long offset, int length, int pattern) {
        String command() {
            return String.format("write -P 0x%02x %d %d", pattern, offset, length);
        }
    }

    /** Has qemu-io read each range back and verify it holds only the write's pattern. */
    public static void verify(Path vhd, List<Write> expected) {
        List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", "vpc"));
        for (Write w : expected) {
            cmd.add("-c");
            cmd.add(String.format("read -P 0x%02x %d %d", w.pattern(), w.offset(), w.length()));
        }
        cmd.add(vhd.toString());
        Proc.Result r = Proc.run(HINT, TIMEOUT, cmd);
        if (!r.ok() || r.stdout().contains("verification failed") || r.stderr().contains("verification failed")) {
            throw new AssertionError("qemu-io read -P found other bytes than expected: " + r.describe());
        }
    }

    /** Runs the writes in one qemu-io process, in order, and checks each reported its full length. */
    public static void write(Path vhd, List<Write> writes) {
        List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", "vpc"));
        for (Write w : writes) {
            cmd.add("-c");
            cmd.add(w.command());
        }
        cmd.add(vhd.toString());
        Proc.Result r = Proc.run(HINT, TIMEOUT, cmd).requireOk();
        for (Write w : writes) {
            String expect = "wrote " + w.length() + "/" + w.length() + " bytes at offset " + w.offset();
            if (!r.stdout().contains(expect)) {
                throw new AssertionError("qemu-io did not report '" + expect + "': " + r.describe());
            }
        }
    }
}
