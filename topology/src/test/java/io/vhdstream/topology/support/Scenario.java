package io.vhdstream.topology.support;

import io.vhdstream.schemas.command.CreateDisk;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.topology.produce.WorkloadSpec;
import io.vhdstream.topology.produce.Workloads;
import io.vhdstream.topology.rebuild.Rebuilder;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Seeded workloads for several disks spread over the partitions, with their models. */
public final class Scenario {
    public final Map<String, WorkloadSpec> specs = new LinkedHashMap<>();
    public final Map<String, DiskModel> models = new LinkedHashMap<>();

    /** Disk ids {@code prefix-N}, one per partition (the default partitioner spreads them). */
    public static List<String> diskIdsOnePerPartition(String prefix, int partitions) {
        List<String> ids = new ArrayList<>();
        boolean[] taken = new boolean[partitions];
        for (int i = 0; ids.size() < partitions; i++) {
            String id = prefix + "-" + i;
            int p = Rebuilder.partitionOf(id, partitions);
            if (!taken[p]) {
                taken[p] = true;
                ids.add(id);
            }
        }
        return ids;
    }

    public Scenario add(WorkloadSpec spec) {
        specs.put(spec.diskId(), spec);
        models.put(spec.diskId(), new DiskModel(spec.diskId(), spec.virtualSize()));
        return this;
    }

    /** All disks' commands, round-robin, applied to the models as they are produced. */
    public Iterator<DiskCommand> commands() {
        List<Iterator<DiskCommand>> its = new ArrayList<>();
        for (WorkloadSpec s : specs.values()) {
            its.add(Workloads.commands(s));
        }
        return new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return its.stream().anyMatch(Iterator::hasNext);
            }

            @Override
            public DiskCommand next() {
                while (true) {
                    Iterator<DiskCommand> it = its.get(i++ % its.size());
                    if (it.hasNext()) {
                        DiskCommand c = it.next();
                        if (!(c.getPayload() instanceof CreateDisk)) {
                            models.get(c.getDiskId()).apply(c);
                        }
                        return c;
                    }
                }
            }
        };
    }

    public long totalSnapshots() {
        return models.values().stream().mapToLong(m -> m.snapshotIds().size()).sum();
    }
}
