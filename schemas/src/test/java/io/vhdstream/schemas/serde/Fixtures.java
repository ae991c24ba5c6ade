package io.vhdstream.schemas.serde;

import io.vhdstream.schemas.LayerDigest;
import io.vhdstream.schemas.Limits;
import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.ChangedBlock;
import io.vhdstream.schemas.block.EndOfLayer;
import io.vhdstream.schemas.block.SourceError;
import io.vhdstream.schemas.block.SourceErrorCodes;
import io.vhdstream.schemas.block.StartOfLayer;
import io.vhdstream.schemas.block.ZeroExtent;
import io.vhdstream.schemas.command.CreateDisk;
import io.vhdstream.schemas.command.DeleteDisk;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Snapshot;
import io.vhdstream.schemas.command.Trim;
import io.vhdstream.schemas.command.Write;
import io.vhdstream.schemas.common.Sha256;
import io.vhdstream.schemas.common.Sha256s;
import io.vhdstream.schemas.common.Uuid;
import io.vhdstream.schemas.common.Uuids;
import io.vhdstream.schemas.deadletter.DeadLetter;
import io.vhdstream.schemas.deadletter.ReasonCodes;
import io.vhdstream.schemas.layer.DiskDeleted;
import io.vhdstream.schemas.layer.InputOffsets;
import io.vhdstream.schemas.layer.LayerEvent;
import io.vhdstream.schemas.layer.LayerSealed;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/** One or more sample records of every payload type, nullable fields both set and unset. */
final class Fixtures {

    static final Instant T = Instant.ofEpochMilli(1_700_000_000_123L); // millisecond precision, as on the wire
    static final Uuid BASE = Uuids.of(UUID.fromString("00112233-4455-6677-8899-aabbccddeeff"));
    static final Uuid CHILD = Uuids.of(UUID.fromString("f0e1d2c3-b4a5-9687-7869-5a4b3c2d1e0f"));

    private Fixtures() {
    }

    static byte[] pattern(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    static Sha256 sha(byte[] data) {
        return Sha256s.of(LayerDigest.sha256(data));
    }

    static DiskCommand command(Long sequence, Object payload) {
        return DiskCommand.newBuilder().setDiskId("disk-01").setSequence(sequence).setTimestamp(T)
                .setPayload(payload).build();
    }

    static DiskCommand maxWrite() {
        return command(7L, new Write(1024L * 1024, ByteBuffer.wrap(pattern(Limits.MAX_WRITE_BYTES, 1))));
    }

    static List<DiskCommand> commands() {
        return List.of(
                command(null, new CreateDisk(64L * 1024 * 1024, Limits.DEFAULT_BLOCK_SIZE)),
                command(1L, CreateDisk.newBuilder().setVirtualSize(Limits.MAX_VIRTUAL_SIZE).build()),
                command(2L, new Write(4096L, ByteBuffer.wrap(pattern(1024, 2)))),
                command(null, new Trim(8192L, 1L << 33)),
                command(3L, new Snapshot("snap-1", "nightly")),
                command(null, new Snapshot("snap-2", null)),
                command(4L, new DeleteDisk("retired")),
                command(null, new DeleteDisk(null)));
    }

    static List<LayerEvent> layerEvents() {
        InputOffsets offsets = new InputOffsets("disk-commands", 3, 100L, 250L);
        LayerSealed base = LayerSealed.newBuilder().setDiskId("disk-01").setSnapshotId("snap-1")
                .setLabel("nightly").setLayerIndex(0).setLayerFile("layer-00000.vhd").setLayerUniqueId(BASE)
                .setParentUniqueId(null).setVirtualSize(1L << 30).setInputOffsets(offsets)
                .setPresentSectors(2048).setFileSize(3L << 20).setContentSha256(sha(pattern(32, 3))).build();
        LayerSealed child = LayerSealed.newBuilder(base).setSnapshotId("snap-2").setLabel(null).setLayerIndex(1)
                .setLayerFile("layer-00001.vhd").setLayerUniqueId(CHILD).setParentUniqueId(BASE)
                .setInputOffsets(new InputOffsets("disk-commands", 3, 251L, 251L)).setPresentSectors(0).build();
        return List.of(new LayerEvent(base), new LayerEvent(child),
                new LayerEvent(new DiskDeleted("disk-01", List.of("layer-00000.vhd", "layer-00001.vhd"), "retired", 260L)),
                new LayerEvent(new DiskDeleted("disk-02", List.of(), null, 0L)), layerMerged());
    }

    static LayerEvent layerMerged() {
        return new LayerEvent(new io.vhdstream.schemas.layer.LayerMerged("disk-01", "base.vhd", "snap-3", 1, 2,
                List.of("0001@snap-2.vhd", "0002@snap-3.vhd"), 900L));
    }

    static List<BlockEvent> blockEvents() {
        byte[] data = pattern(Limits.CHUNK_DEFAULT, 4);
        return List.of(
                new BlockEvent(new StartOfLayer("disk-01", CHILD, BASE, 1, "layer-00001.vhd", 1L << 30,
                        Limits.DEFAULT_BLOCK_SIZE, "s2", null)),
                new BlockEvent(new StartOfLayer("disk-01", BASE, null, 0, "layer-00000.vhd", 1L << 30, 4096, null, null)),
                new BlockEvent(new StartOfLayer("disk-01", BASE, null, 0, "base.vhd", 1L << 30, 4096, "s7",
                        new io.vhdstream.schemas.block.Resync(6, 2, "the feed stopped at layer 1"))),
                new BlockEvent(new ChangedBlock("disk-01", CHILD, BASE, 1, 0L, 0L, (long) data.length,
                        ByteBuffer.wrap(data), sha(data))),
                new BlockEvent(new ChangedBlock("disk-01", BASE, null, 0, 5L, 512L, 512L,
                        ByteBuffer.wrap(pattern(512, 5)), sha(pattern(512, 5)))),
                new BlockEvent(new ZeroExtent("disk-01", CHILD, BASE, 1, 1L, 1L << 20, 1L << 32)),
                new BlockEvent(new ZeroExtent("disk-01", BASE, null, 0, 6L, 0L, 512L)),
                new BlockEvent(new EndOfLayer("disk-01", CHILD, BASE, 1, "layer-00001.vhd", 1L << 30, 2L,
                        (long) data.length + (1L << 32), sha(pattern(8, 6)), sha(pattern(8, 7)))),
                new BlockEvent(new SourceError(null, "disk-03/layer-00000.vhd", SourceErrorCodes.CORRUPT_IMAGE,
                        "footer checksum mismatch")),
                new BlockEvent(new SourceError("disk-03", "disk-03/layer-00001.vhd", SourceErrorCodes.MISSING_PARENT,
                        "no parent")),
                new BlockEvent(new io.vhdstream.schemas.block.DiskDeleted("disk-01", 990L, "retired")),
                new BlockEvent(new io.vhdstream.schemas.block.DiskDeleted("disk-02", -1L, null)));
    }

    static List<DeadLetter> deadLetters() {
        return List.of(
                DeadLetter.newBuilder().setDiskId("disk-01").setSourceTopic("disk-commands").setSourcePartition(3)
                        .setSourceOffset(42L).setReasonCode(ReasonCodes.WRITE_PAST_END).setMessage("write ends at 2 GiB")
                        .setRejectedAt(T).setOriginalKey(ByteBuffer.wrap("disk-01".getBytes()))
                        .setOriginalValue(ByteBuffer.wrap(pattern(600, 8))).setOriginalValueSize(600L).build(),
                DeadLetter.newBuilder().setDiskId(null).setSourceTopic("disk-commands").setSourcePartition(0)
                        .setSourceOffset(0L).setReasonCode(ReasonCodes.UNDECODABLE).setMessage("no marker")
                        .setRejectedAt(T).build());
    }

    /** Every fixture with the serde of its type, for loops over all types. */
    static List<Case> all() {
        List<Case> out = new ArrayList<>();
        commands().forEach(r -> out.add(Case.of(AvroSerdes.diskCommand(), r)));
        layerEvents().forEach(r -> out.add(Case.of(AvroSerdes.layerEvent(), r)));
        blockEvents().forEach(r -> out.add(Case.of(AvroSerdes.blockEvent(), r)));
        deadLetters().forEach(r -> out.add(Case.of(AvroSerdes.deadLetter(), r)));
        return out;
    }

    /** A record and a serde of its type. */
    record Case(AvroSerde<SpecificRecord> serde, SpecificRecord record) {
        @SuppressWarnings("unchecked")
        static <T extends SpecificRecord> Case of(AvroSerde<T> serde, T record) {
            return new Case((AvroSerde<SpecificRecord>) (AvroSerde<?>) serde, record);
        }

        byte[] encode() {
            return serde.serialize("t", record);
        }
    }
}
