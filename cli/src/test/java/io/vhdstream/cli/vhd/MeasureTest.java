package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliRunner.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.vhdstream.cli.CliRunner.runWithStdin;
import static io.vhdstream.cli.CliRunner.vhd;
import static io.vhdstream.cli.CliRunner.vhdArgs;
import static io.vhdstream.cli.vhd.ReadWriteTest.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code vhd measure}: the sizes it prints are the lengths of the files {@code vhd convert} and {@code vhd import}
 * really make (converted here and compared), in qemu-img measure's words.
 */
class MeasureTest {
    @TempDir
    Path dir;

    /** Runs measure with {@code args}; returns its two sizes, after checking the text's wording. */
    private static long[] measure(Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = "measure";
        System.arraycopy(args, 0, all, 1, args.length);
        List<String> lines = vhd(all).assertOk().outLines();
        assertEquals(2, lines.size(), lines::toString);
        assertTrue(lines.get(0).startsWith("required size: "), lines::toString);
        assertTrue(lines.get(1).startsWith("fully allocated size: "), lines::toString);
        return new long[] {Long.parseLong(lines.get(0).substring(15)), Long.parseLong(lines.get(1).substring(22))};
    }

    /**
     * A 40 MiB sparse raw disk: small writes (their blocks' data aligned in the file, with a gap), runs of 3 and
     * 6.5 MiB across 4 MiB chunk and block boundaries (placed end to end, but for a short first write into a
     * block), a run of explicit zeros (stored as nothing), a last sector.
     */
    private Path sparseRaw() throws Exception {
        Path raw = dir.resolve("disk.raw");
        try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength(40 << 20);
            f.seek(4096);
            f.write(random(4096, 1));
            f.seek((3 << 20) + 512);
            f.write(random(3 << 20, 2));
            f.seek(12 << 20);
            f.write(new byte[1 << 20]);
            f.seek((20 << 20) + 7 * 512);
            f.write(random(1536, 3));
            f.seek(49L << 19); // 24.5 MiB: import reads 4 MiB from here, so its first write into the block at 28 MiB is short
            f.write(random(13 << 19, 10));
            f.seek((40 << 20) - 512);
            f.write(random(512, 4));
        }
        return raw;
    }

    /** A chain: a dynamic base with data, a child holding a small write and a large one over it. */
    private Path chain() {
        Path base = dir.resolve("base.vhd");
        Path child = dir.resolve("child.vhd");
        vhd("create", base, "--size", "24M").assertOk();
        runWithStdin(random(8192, 5), vhdArgs("write", base, "--offset", "1M")).assertOk();
        runWithStdin(random(2 << 20, 6), vhdArgs("write", base, "--offset", "9M")).assertOk();
        vhd("snapshot", base, child).assertOk();
        runWithStdin(random(1024, 7), vhdArgs("write", child, "--offset", "17M")).assertOk();
        runWithStdin(random(1536 << 10, 8), vhdArgs("write", child, "--offset", "5M")).assertOk();
        return child;
    }

    @Test
    void requiredIsTheLengthOfTheFileConvertAndImportMake() throws Exception {
        Path raw = sparseRaw();
        Path child = chain();
        List<String> wrong = new ArrayList<>();
        int n = 0;
        for (List<String> options : List.of(List.<String>of(), List.of("--block-size", "64K"), List.of("--block-size", "512K"),
                List.of("--block-size", "8M"), List.of("--type", "fixed"))) {
            for (Path in : List.of(raw, child)) {
                List<Object> m = new ArrayList<>(List.of(in));
                m.addAll(options);
                long required = measure(m.toArray())[0];
                List<String> verbs = in == raw ? List.of("convert", "import") : List.of("convert");
                for (String verb : verbs) {
                    Path out = dir.resolve("out" + n++ + ".vhd");
                    List<Object> c = new ArrayList<>(List.of(verb, "-q", in, out));
                    c.addAll(options);
                    vhd(c.toArray()).assertOk();
                    if (Files.size(out) != required) {
                        wrong.add(verb + " " + in.getFileName() + " " + options + ": measured " + required + ", made " + Files.size(out));
                    }
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void fullyAllocatedIsTheLengthOfAFileWhoseEverySectorHoldsData() throws Exception {
        Path raw = dir.resolve("full.raw");
        Files.write(raw, random((5 << 20) + 3 * 512, 9)); // a last partial block
        for (List<String> options : List.of(List.<String>of(), List.of("--block-size", "64K"), List.of("-O", "fixed"))) {
            List<Object> m = new ArrayList<>(List.of(raw));
            m.addAll(options);
            long[] sizes = measure(m.toArray());
            assertEquals(sizes[0], sizes[1], options::toString);
            List<Object> bySize = new ArrayList<>(List.of("--size", String.valueOf(Files.size(raw))));
            bySize.addAll(options);
            assertEquals(sizes[1], measure(bySize.toArray())[1], () -> "--size " + options);
            Path out = dir.resolve("full" + options + ".vhd");
            List<Object> c = new ArrayList<>(List.of("convert", "-q", raw, out));
            c.addAll(options.contains("-O") ? List.of("--type", "fixed") : options);
            vhd(c.toArray()).assertOk();
            assertEquals(Files.size(out), sizes[1], options::toString);
        }
    }

    @Test
    void anEmptyDiskOfSizeMeasuresAsCreateMakesIt() throws Exception {
        for (List<String> options : List.of(List.<String>of(), List.of("--block-size", "4K"), List.of("--type", "fixed"))) {
            Path made = dir.resolve("empty" + options + ".vhd");
            List<Object> c = new ArrayList<>(List.of("create", made, "--size", "10M"));
            c.addAll(options);
            vhd(c.toArray()).assertOk();
            List<Object> m = new ArrayList<>(List.of("--size", "10M"));
            m.addAll(options);
            assertEquals(Files.size(made), measure(m.toArray())[0], options::toString);
        }
        assertEquals("{\"version\":1,\"required\":10486272,\"fully-allocated\":10486272}",
                vhd("measure", "--json", "-O", "fixed", "--size", "10M").assertOk().out().strip());
        Path raw = sparseRaw();
        long[] text = measure(raw);
        assertEquals("{\"version\":1,\"required\":" + text[0] + ",\"fully-allocated\":" + text[1] + "}",
                vhd("measure", raw, "--json").assertOk().out().strip());
    }

    @Test
    void badArgumentsAreUsageErrorsAndUnreadableInputsFailures() throws Exception {
        Path raw = sparseRaw();
        vhd("measure").assertError(2, "INVALID_ARGUMENT");
        vhd("measure", raw, "--size", "1M").assertError(2, "INVALID_ARGUMENT");
        vhd("measure", "--size", "1M", "--type", "fixed", "--block-size", "64K").assertError(2, "INVALID_ARGUMENT");
        vhd("measure", "--size", "1000").assertError(2, "INVALID_ARGUMENT");
        vhd("measure", "--size", "3000G").assertError(2, "INVALID_ARGUMENT");
        vhd("measure", "--size", "1M", "--block-size", "3K").assertError(2, "INVALID_ARGUMENT");
        vhd("measure", "--size", "1M", "-O", "qcow2").assertError(2, "USAGE");
        vhd("measure", raw, "--format", "vhd").assertError(2, "INVALID_ARGUMENT");
        vhd("measure", raw, raw).assertError(2, "USAGE");
        vhd("measure", dir.resolve("missing.raw")).assertError(1, "IO_ERROR");
        Path odd = dir.resolve("odd.raw");
        Files.write(odd, new byte[1000]);
        vhd("measure", odd).assertError(2, "INVALID_ARGUMENT");
        Result json = vhd("measure", "--json", dir.resolve("missing.raw"));
        assertEquals(1, json.exit());
        assertTrue(json.out().startsWith("{\"version\":1,\"error\":{\"code\":\"IO_ERROR\""), json.out());
        assertFalse(Files.exists(dir.resolve("missing.raw")), "nothing made");
    }
}
