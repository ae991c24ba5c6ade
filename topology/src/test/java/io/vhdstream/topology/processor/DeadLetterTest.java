package io.vhdstream.topology.processor;

import io.vhdstream.schemas.deadletter.DeadLetter;
import io.vhdstream.schemas.deadletter.ReasonCodes;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.topology.Topics;
import io.vhdstream.topology.disk.DiskLayers;
import io.vhdstream.topology.support.DiskModel;
import io.vhdstream.topology.support.Driver;
import io.vhdstream.topology.support.Layers;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.vhdstream.topology.processor.DiskTopologyTest.data;
import static io.vhdstream.topology.produce.DiskCommands.create;
import static io.vhdstream.topology.produce.DiskCommands.delete;
import static io.vhdstream.topology.produce.DiskCommands.snapshot;
import static io.vhdstream.topology.produce.DiskCommands.trim;
import static io.vhdstream.topology.produce.DiskCommands.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every kind of bad input goes to the dead-letter topic with its reason; everything else keeps working. */
class DeadLetterTest {
    static final long MIB = 1 << 20;

    @TempDir
    Path work;

    private record Expect(long offset, String reason, String diskId) {
    }

    @Test
    void everyRejectionReasonIsDeadLetteredAndNothingElseIsLost() throws Exception {
        try (Driver d = new Driver(work)) {
            DiskModel good = new DiskModel("good", 4 * MIB);
            List<Expect> expected = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            long[] offset = {0};
            // interleave valid commands for another disk: they must all be applied
            Runnable goodWrite = () -> {
                DiskCommand c = write("good", (offset[0] % 8) * 4096, data(offset[0], 4096));
                d.pipe(c);
                good.apply(c);
                values.add(null);
                offset[0]++;
            };
            DiskCommand goodCreate = create("good", 4 * MIB, 1 << 20);
            d.pipe(goodCreate);
            values.add(null);
            offset[0]++;

            class Bad {
                void raw(byte[] key, byte[] value, String reason, String diskId) {
                    d.pipeRaw(key, value);
                    values.add(value);
                    expected.add(new Expect(offset[0]++, reason, diskId));
                    goodWrite.run();
                }

                void cmd(DiskCommand c, String reason) {
                    raw(c.getDiskId().getBytes(StandardCharsets.UTF_8), d.encode(c), reason, c.getDiskId());
                }

                void ok(DiskCommand c) {
                    d.pipe(c);
                    values.add(null);
                    offset[0]++;
                }
            }
            Bad bad = new Bad();
            byte[] key = "d".getBytes(StandardCharsets.UTF_8);
            bad.raw(key, new byte[] {(byte) 0xC3, 0x01, 1, 2, 3}, ReasonCodes.UNDECODABLE, null);
            bad.raw(key, "not avro at all".getBytes(StandardCharsets.UTF_8), ReasonCodes.UNDECODABLE, null);
            bad.raw(key, null, ReasonCodes.UNDECODABLE, null);
            bad.cmd(write("d", 0, data(1, 512)), ReasonCodes.UNKNOWN_DISK);
            bad.ok(create("d", 4 * MIB, 1 << 21));
            bad.cmd(create("d", 4 * MIB, 1 << 21), ReasonCodes.DISK_EXISTS);
            bad.cmd(create("e", 1000, 1 << 21), ReasonCodes.INVALID_SIZE);
            bad.cmd(create("e", -4096, 1 << 21), ReasonCodes.INVALID_SIZE);
            bad.cmd(create("e", 4 * MIB, 3000), ReasonCodes.INVALID_BLOCK_SIZE);
            bad.cmd(create("e", 1L << 40, 512), ReasonCodes.INVALID_BLOCK_SIZE);
            bad.raw("x".getBytes(StandardCharsets.UTF_8), d.encode(write("d", 0, data(2, 512))), ReasonCodes.KEY_MISMATCH, "d");
            bad.raw(null, d.encode(write("d", 0, data(2, 512))), ReasonCodes.KEY_MISMATCH, "d");
            bad.cmd(create("", 4 * MIB, 1 << 21), ReasonCodes.INVALID_ID);
            bad.cmd(create("x".repeat(201), 4 * MIB, 1 << 21), ReasonCodes.INVALID_ID);
            bad.cmd(create("\u00e9".repeat(100), 4 * MIB, 1 << 21), ReasonCodes.INVALID_ID);   // 600-byte directory name
            bad.cmd(write("d", 100, data(3, 512)), ReasonCodes.MISALIGNED);
            bad.cmd(write("d", 512, data(3, 100)), ReasonCodes.MISALIGNED);
            bad.cmd(write("d", 512, new byte[0]), ReasonCodes.MISALIGNED);
            bad.cmd(write("d", -512, data(3, 512)), ReasonCodes.MISALIGNED);
            bad.cmd(trim("d", 512, 100), ReasonCodes.MISALIGNED);
            bad.cmd(write("d", 4 * MIB - 512, data(4, 1024)), ReasonCodes.WRITE_PAST_END);
            bad.cmd(write("d", Long.MAX_VALUE - 511, data(4, 512)), ReasonCodes.WRITE_PAST_END);
            bad.cmd(trim("d", 4 * MIB, 512), ReasonCodes.WRITE_PAST_END);
            bad.cmd(write("d", 0, data(5, 600 * 1024)), ReasonCodes.WRITE_TOO_LARGE);
            bad.cmd(write("d", 0, data(6, 1024 * 1024)), ReasonCodes.WRITE_TOO_LARGE);
            bad.ok(snapshot("d", "s1", null));
            bad.cmd(snapshot("d", "s1", "again"), ReasonCodes.DUPLICATE_SNAPSHOT);
            bad.cmd(snapshot("d", "", null), ReasonCodes.INVALID_ID);
            bad.ok(delete("d", null));
            bad.cmd(write("d", 0, data(7, 512)), ReasonCodes.DELETED_DISK);
            bad.cmd(trim("d", 0, 512), ReasonCodes.DELETED_DISK);
            bad.cmd(snapshot("d", "s2", null), ReasonCodes.DELETED_DISK);
            bad.cmd(delete("d", null), ReasonCodes.DELETED_DISK);
            bad.cmd(create("d", 4 * MIB, 1 << 21), ReasonCodes.DELETED_DISK);
            bad.cmd(delete("nobody", null), ReasonCodes.UNKNOWN_DISK);
            bad.cmd(snapshot("nobody", "s", null), ReasonCodes.UNKNOWN_DISK);
            bad.cmd(trim("nobody", 0, 512), ReasonCodes.UNKNOWN_DISK);

            List<TestRecord<byte[], DeadLetter>> dls = d.deadLetters();
            assertEquals(expected.size(), dls.size());
            for (int i = 0; i < expected.size(); i++) {
                Expect e = expected.get(i);
                DeadLetter dl = dls.get(i).value();
                String where = "dead letter " + i + " (" + e.reason() + ")";
                assertEquals(e.reason(), dl.getReasonCode(), where + ": " + dl.getMessage());
                assertEquals(e.offset(), dl.getSourceOffset(), where);
                assertEquals(Topics.COMMANDS, dl.getSourceTopic(), where);
                assertEquals(0, dl.getSourcePartition(), where);
                assertEquals(e.diskId(), dl.getDiskId(), where);
                assertTrue(dl.getMessage() != null && !dl.getMessage().isBlank(), where);
                assertEquals(Driver.START.plusMillis(e.offset()), dl.getRejectedAt(), where);
                byte[] value = values.get((int) e.offset());
                if (value == null) {
                    assertNull(dl.getOriginalValue(), where);
                    assertNull(dl.getOriginalValueSize(), where);
                } else {
                    assertEquals(value.length, dl.getOriginalValueSize(), where);
                    if (value.length <= io.vhdstream.schemas.Limits.MAX_DEAD_LETTER_ORIGINAL_BYTES) {
                        assertArrayEquals(value, bytes(dl.getOriginalValue()), where);
                    } else {
                        assertNull(dl.getOriginalValue(), where);
                    }
                }
                byte[] expectedKey = e.diskId() != null ? e.diskId().getBytes(StandardCharsets.UTF_8) : key;
                assertArrayEquals(expectedKey, dls.get(i).key(), where);
            }
            // One DiskDeleted, one LayerSealed: the rejected commands changed nothing.
            assertEquals(2, d.layerEvents().size());
            Layers.assertSameContent(good.content(), Layers.read(d.diskDir("good").resolve("base.vhd")), "good disk");
        }
    }

    @Test
    void retentionKeepsAChainUnderTheDepthLimitPastItsSnapshotCount() throws Exception {
        try (Driver d = new Driver(work)) {
            d.pipe(create("deep", 1 << 20, 1 << 20));
            int snapshots = DiskLayers.MAX_LAYERS + 36;
            for (int i = 1; i <= snapshots; i++) {
                d.pipe(write("deep", (i % 2048) * 512L, data(i, 512)));
                d.pipe(snapshot("deep", "s" + i, null));
            }
            assertTrue(d.deadLetters().isEmpty(), "no snapshot refused");
            int merges = snapshots - io.vhdstream.topology.disk.Retention.DEFAULT_SNAPSHOTS;
            assertEquals(snapshots + merges, d.layerEvents().size(), "every seal past the window merged one layer");
            // the chain opens with the default depth limit and writes still land on top
            Path top = d.diskDir("deep").resolve(String.format("%04d.vhd", snapshots));
            d.pipe(write("deep", 0, data(9, 512)));
            assertArrayEquals(data(9, 512), java.util.Arrays.copyOf(Layers.read(top), 512));
            try (var chain = io.vhdstream.vhd.chain.VhdChain.open(top, io.vhdstream.vhd.chain.ChainOptions.forImage(top), false)) {
                assertEquals(io.vhdstream.topology.disk.Retention.DEFAULT_SNAPSHOTS + 1, chain.layers().size());
            }
            Layers.assertClean(top);
            assertNotNull(d.store().layers().state("deep"));
        }
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** Each dead letter is counted by reason and logged, at most ten lines a minute per task. */
    @Test
    void deadLettersAreCountedByReasonAndLoggedRateLimited() throws Exception {
        var lines = new java.util.concurrent.CopyOnWriteArrayList<String>();
        var logger = (org.apache.logging.log4j.core.Logger) org.apache.logging.log4j.LogManager.getLogger(DeadLetterLog.class);
        var appender = new org.apache.logging.log4j.core.appender.AbstractAppender("capture", null, null, true,
                org.apache.logging.log4j.core.config.Property.EMPTY_ARRAY) {
            @Override
            public void append(org.apache.logging.log4j.core.LogEvent e) {
                lines.add(e.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        logger.addAppender(appender);
        try (Driver d = new Driver(work)) {
            d.pipe(create("a", 4 * MIB, 1 << 20));
            d.pipe(create("a", 4 * MIB, 1 << 20));
            for (int i = 0; i < 14; i++) {
                d.pipe(write("nobody", 0, data(i, 512)));
            }
            assertEquals(15, d.deadLetters().size());
            var counts = DiskCommandProcessor.deadLetters(d.driver.metrics());
            assertEquals(java.util.Map.of(ReasonCodes.DISK_EXISTS, 1.0, ReasonCodes.UNKNOWN_DISK, 14.0), counts);
        } finally {
            logger.removeAppender(appender);
        }
        assertEquals(DeadLetterLog.LINES_PER_MINUTE, lines.size(), lines::toString);
        assertTrue(lines.get(0).startsWith("dead letter DISK_EXISTS for disk a (vhdstream-commands-0@1): "), lines.get(0));
    }
}
