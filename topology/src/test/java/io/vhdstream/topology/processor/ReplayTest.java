package io.vhdstream.topology.processor;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.deadletter.DeadLetter;
import io.vhdstream.schemas.layer.LayerEvent;
import io.vhdstream.topology.Topics;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.support.Driver;
import io.vhdstream.topology.support.Histories;
import io.vhdstream.topology.support.Layers;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays converge: the same input processed again over the layers it produced (whatever the store's
 * committed offset says) changes no file byte and emits the same events again, as an exactly-once
 * transaction that aborted after the files were written needs.
 */
class ReplayTest {
    static final long MIB = 1 << 20;

    @TempDir
    Path work;

    static List<DiskCommand> history() {
        return Histories.mixed();
    }

    private record Run(List<TestRecord<byte[], LayerEvent>> layers, List<TestRecord<byte[], DeadLetter>> deadLetters,
                       Map<String, String> files) {
    }

    private Run run(Path layersDir, List<DiskCommand> cs) throws Exception {
        try (Driver d = new Driver(work.resolve("w" + System.nanoTime()), layersDir)) {
            d.pipeAll(cs);
            return new Run(d.layerEvents(), d.deadLetters(), null);
        }
    }

    private static void assertSameEvents(Run first, Run again) {
        assertEquals(first.layers().size(), again.layers().size());
        for (int i = 0; i < first.layers().size(); i++) {
            assertEquals(first.layers().get(i).value(), again.layers().get(i).value(), "layer event " + i);
            assertEquals(new String(first.layers().get(i).key(), StandardCharsets.UTF_8),
                    new String(again.layers().get(i).key(), StandardCharsets.UTF_8));
        }
        assertEquals(first.deadLetters().size(), again.deadLetters().size());
        for (int i = 0; i < first.deadLetters().size(); i++) {
            assertEquals(first.deadLetters().get(i).value(), again.deadLetters().get(i).value(), "dead letter " + i);
        }
    }

    @Test
    void replayingOverTheLayersChangesNoByteAndEmitsTheSameEvents() throws Exception {
        Path layers = work.resolve("layers");
        List<DiskCommand> cs = history();
        Run first = run(layers, cs);
        assertTrue(first.layers().size() > 5, "the history seals layers");
        assertTrue(first.deadLetters().size() > 3, "the history has bad input");
        Map<String, String> files = Layers.fileHashes(layers);
        Path offsets = layers.resolve(LayerNames.OFFSETS_DIR).resolve(Topics.COMMANDS + "-0");
        assertEquals((long) cs.size(), io.vhdstream.topology.store.OffsetsFile.read(offsets));

        // 1. store ahead of the re-delivered records (an aborted transaction after a checkpoint)
        Run again = run(layers, cs);
        assertSameEvents(first, again);
        assertEquals(files, Layers.fileHashes(layers));

        // 2. no offsets at all: every write after the last seal is applied again, every earlier one skipped
        Files.delete(offsets);
        again = run(layers, cs);
        assertSameEvents(first, again);
        assertEquals(files, Layers.fileHashes(layers));

        // 3. offsets rewound to the middle of the history
        for (long at : new long[] {1, cs.size() / 3, cs.size() / 2, cs.size() - 3}) {
            Files.writeString(offsets, at + "\n");
            again = run(layers, cs);
            assertSameEvents(first, again);
            assertEquals(files, Layers.fileHashes(layers), "offsets rewound to " + at);
        }
    }

    @Test
    void interruptedSealsAndCreationsAreCompletedOnReplay() throws Exception {
        Path layers = work.resolve("layers");
        List<DiskCommand> cs = history();
        Run first = run(layers, cs);
        Map<String, String> files = Layers.fileHashes(layers);
        Path a = layers.resolve("a");
        Path offsets = layers.resolve(LayerNames.OFFSETS_DIR).resolve(Topics.COMMANDS + "-0");

        // A crash after the last seal's line was appended but before the next layer existed, with the offsets
        // file still before that snapshot: the next layer is created again (same id) and the writes after
        // the snapshot are applied to it.
        String sealed = Files.readString(a.resolve(LayerNames.SEALED));
        String[] lines = sealed.split("\n");
        String last = lines[lines.length - 1];
        long sealOffset = Long.parseLong(last.split(" ")[3]);
        String active = activeLayer(a);
        Files.delete(a.resolve(active));
        Files.writeString(offsets, sealOffset + "\n");
        // leftovers of an interrupted creation and a torn append
        Files.write(a.resolve(".0099-x.vhd.tmp"), new byte[1024]);
        Files.writeString(a.resolve(LayerNames.SEALED), "99 0099-x.vhd x 1234 from=1 at=", StandardOpenOption.APPEND);
        Run again = run(layers, cs);
        assertSameEvents(first, again);
        assertEquals(files, Layers.fileHashes(layers));
        assertFalse(Files.exists(a.resolve(".0099-x.vhd.tmp")));

        // A crash before base.vhd's creation was recorded (no state file): the disk is created again.
        Path b = layers.resolve("b");
        for (Path p : List.of(b.resolve(LayerNames.STATE), b.resolve(LayerNames.SEALED))) {
            Files.delete(p);
        }
        Files.delete(offsets);
        again = run(layers, cs);
        assertSameEvents(first, again);
        assertEquals(files, Layers.fileHashes(layers));
    }

    private static String activeLayer(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".vhd") && !n.equals("base.vhd"))
                    .sorted().reduce((x, y) -> y).orElse("base.vhd");
        }
    }
}
