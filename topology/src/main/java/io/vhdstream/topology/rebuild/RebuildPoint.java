package io.vhdstream.topology.rebuild;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a rebuild stops: at a snapshot (the layer it sealed is the top), or after the last command of the
 * disk at or before an input offset or a record timestamp (the active layer is the top: the disk exactly
 * as that command left it, crash-consistent).
 */
public sealed interface RebuildPoint {
    record AtSnapshot(String snapshotId) implements RebuildPoint {
        public AtSnapshot {
            Objects.requireNonNull(snapshotId);
        }

        @Override
        public String toString() {
            return "snapshot " + snapshotId;
        }
    }

    record AtOffset(long offset) implements RebuildPoint {
        @Override
        public String toString() {
            return "offset " + offset;
        }
    }

    /** Commands of the disk are applied in offset order until one whose record timestamp is after {@code time}. */
    record AtTime(Instant time) implements RebuildPoint {
        public AtTime {
            Objects.requireNonNull(time);
        }

        @Override
        public String toString() {
            return "time " + time;
        }
    }

    /** {@code OFFSET} (digits) or an ISO-8601 instant ({@code 2026-12-02T10:15:00Z}), as {@code --at} takes it. */
    static RebuildPoint parseAt(String s) {
        if (s.matches("[0-9]{1,18}")) {
            return new AtOffset(Long.parseLong(s));
        }
        try {
            return new AtTime(Instant.parse(s));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("'" + s + "' is neither an input offset (digits) nor an ISO-8601 time"
                    + " such as 2026-12-02T10:15:00Z");
        }
    }
}
