package io.vhdstream.cli.kafka;

import io.vhdstream.schemas.command.CreateDisk;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Snapshot;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/** A workload's commands as sent: without its CreateDisk when appending, noting the snapshot ids it creates. */
final class WorkloadCommands implements Iterator<DiskCommand> {
    private final Iterator<DiskCommand> commands;
    private final boolean skipCreate;
    private final List<String> snapshotIds = new ArrayList<>();
    private DiskCommand next;

    WorkloadCommands(Iterator<DiskCommand> commands, boolean skipCreate) {
        this.commands = commands;
        this.skipCreate = skipCreate;
    }

    @Override
    public boolean hasNext() {
        while (next == null && commands.hasNext()) {
            DiskCommand c = commands.next();
            if (!(skipCreate && c.getPayload() instanceof CreateDisk)) {
                next = c;
            }
        }
        return next != null;
    }

    @Override
    public DiskCommand next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        DiskCommand c = next;
        next = null;
        if (c.getPayload() instanceof Snapshot s) {
            snapshotIds.add(s.getSnapshotId());
        }
        return c;
    }

    /** The snapshot ids of the commands handed out so far. */
    List<String> snapshotIds() {
        return snapshotIds;
    }
}
