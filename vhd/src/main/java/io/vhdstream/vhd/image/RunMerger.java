package io.vhdstream.vhd.image;

import java.io.IOException;

/**
 * Joins adjacent runs (absent next to absent, or present runs contiguous in the file) before passing them
 * on, so the reader above issues one large I/O where the layout allows it.
 */
final class RunMerger implements RunSink {
    private final RunSink out;
    private long off = -1;
    private long len;
    private long fileOff;

    RunMerger(RunSink out) {
        this.out = out;
    }

    @Override
    public void run(long offset, long length, long fileOffset) throws IOException {
        if (length == 0) {
            return;
        }
        if (off >= 0 && off + len == offset
                && ((fileOff < 0 && fileOffset < 0) || (fileOff >= 0 && fileOff + len == fileOffset))) {
            len += length;
            return;
        }
        flush();
        off = offset;
        len = length;
        fileOff = fileOffset;
    }

    void flush() throws IOException {
        if (off >= 0) {
            out.run(off, len, fileOff < 0 ? -1 : fileOff);
            off = -1;
        }
    }
}
