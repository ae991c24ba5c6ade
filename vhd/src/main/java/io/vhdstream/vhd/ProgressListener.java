package io.vhdstream.vhd;

/** Told how far a long operation (export, import, coalesce) has come; called from the working thread. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (done, total) -> { };

    void progress(long done, long total);
}
