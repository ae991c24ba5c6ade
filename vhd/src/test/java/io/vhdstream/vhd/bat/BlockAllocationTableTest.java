package io.vhdstream.vhd.bat;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The table as kept in memory (raw file order, allocated count, vectorised skip) against a plain model. */
class BlockAllocationTableTest {
    @Test
    void parseSetSerializeAndNextAllocatedAgreeWithAModel() throws Exception {
        Random r = new Random(42);
        for (int iter = 0; iter < 500; iter++) {
            int n = 1 + r.nextInt(iter < 250 ? 50 : 20_000);
            long[] want = new long[n];
            double unallocated = r.nextDouble();
            for (int i = 0; i < n; i++) {
                want[i] = r.nextDouble() < unallocated ? BlockAllocationTable.UNALLOCATED : (r.nextLong() & 0xFFFF_FFFEL);
            }
            BlockAllocationTable t = BlockAllocationTable.parse(bytes(want), n);
            check(t, want);
            for (int k = 0; k < 50; k++) {
                int i = r.nextInt(n);
                want[i] = r.nextBoolean() ? BlockAllocationTable.UNALLOCATED : (r.nextLong() & 0xFFFF_FFFEL);
                t.set(i, want[i]);
            }
            check(t, want);
        }
    }

    @Test
    void largeSparseTablesWalkTheSameAfterAllocatingAndFreeing() throws Exception {
        Random r = new Random(7);
        for (int iter = 0; iter < 16; iter++) {
            int n = 1 + r.nextInt(150_000);   // up to ~2300 chunks of 64 entries: many summary words
            long[] want = new long[n];
            Arrays.fill(want, BlockAllocationTable.UNALLOCATED);
            BlockAllocationTable t = iter % 2 == 0 ? BlockAllocationTable.empty(n) : BlockAllocationTable.parse(bytes(want), n);
            for (int k = 0; k < 1 + r.nextInt(30); k++) {
                // clustered and lone allocations, including the first and last entries
                int i = switch (r.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> n - 1;
                    default -> r.nextInt(n);
                };
                want[i] = r.nextLong() & 0xFFFF_FFFEL;
                t.set(i, want[i]);
            }
            check(t, want);
            for (int i = 0; i < n; i++) {   // free some again: a chunk's hint may go stale, the walk must not
                if (want[i] != BlockAllocationTable.UNALLOCATED && r.nextBoolean()) {
                    want[i] = BlockAllocationTable.UNALLOCATED;
                    t.set(i, want[i]);
                }
            }
            check(t, want);
            check(BlockAllocationTable.parse(bytes(want), n), want);
        }
    }

    private static byte[] bytes(long[] v) {
        byte[] b = new byte[v.length * 4];
        for (int i = 0; i < v.length; i++) {
            b[4 * i] = (byte) (v[i] >>> 24);
            b[4 * i + 1] = (byte) (v[i] >>> 16);
            b[4 * i + 2] = (byte) (v[i] >>> 8);
            b[4 * i + 3] = (byte) v[i];
        }
        return b;
    }

    private static void check(BlockAllocationTable t, long[] want) {
        byte[] bytes = bytes(want);
        List<Integer> allocated = new ArrayList<>();
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], t.sector(i), "sector " + i);
            assertEquals(want[i] != BlockAllocationTable.UNALLOCATED, t.allocated(i), "allocated " + i);
            assertArrayEquals(Arrays.copyOfRange(bytes, 4 * i, 4 * i + 4), t.entryBytes(i), "entry bytes " + i);
            if (t.allocated(i)) {
                allocated.add(i);
            }
        }
        assertEquals(allocated.size(), t.allocatedCount());
        List<Integer> walked = new ArrayList<>();
        for (int b = t.nextAllocated(0); b >= 0; b = t.nextAllocated(b + 1)) {
            walked.add(b);
        }
        assertEquals(allocated, walked);
        byte[] ser = t.serialize(want.length + 200);
        assertArrayEquals(bytes, Arrays.copyOf(ser, bytes.length));
        for (int i = bytes.length; i < ser.length; i++) {
            assertEquals((byte) 0xFF, ser[i], "padding byte " + i);
        }
    }
}
