package io.vhdstream.vhd.image;

import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.footer.Footer;
import io.vhdstream.vhd.io.ImageFile;
import io.vhdstream.vhd.io.Sectors;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * One VHD file, on its own: what it holds and where. Reading through parents is {@code chain.VhdChain}'s
 * job; an image only says, per range, which runs it holds ({@link #mapRuns}).
 */
public abstract sealed class VhdImage implements Closeable permits FixedImage, SparseImage {
    protected final ImageFile file;
    protected final ImageStructure structure;

    protected VhdImage(ImageFile file, ImageStructure structure) {
        this.file = file;
        this.structure = structure;
    }

    public static VhdImage open(Path path) throws IOException {
        return open(path, OpenOptions.READ);
    }

    public static VhdImage open(Path path, OpenOptions options) throws IOException {
        ImageFile file = ImageFile.open(path, options.writable());
        try {
            ImageStructure s = ImageStructure.read(file, options.strict());
            Problem fatal = s.firstFatal();
            if (fatal != null) {
                throw new VhdException(fatal.code(), path + ": " + fatal.message());
            }
            if (options.writable() && s.footerFromCopy()) {
                throw new VhdException(ProblemCode.FOOTER_CHECKSUM, path
                        + ": the end footer is damaged; run 'vhdstream vhd repair' before writing");
            }
            if (options.writable()) {
                for (Problem p : s.problems()) {
                    if (p.code() == ProblemCode.LOCATOR_OUTSIDE_FILE || p.code() == ProblemCode.BATMAP_OUTSIDE_FILE
                            || p.code() == ProblemCode.LOCATOR_OVERLAP) {
                        throw new VhdException(p.code(), path + ": " + p.message() + "; refusing to write where it may clobber metadata");
                    }
                }
            }
            return s.type() == DiskType.FIXED ? new FixedImage(file, s) : new SparseImage(file, s);
        } catch (VhdException | RuntimeException e) {
            file.close();
            throw e;
        } catch (IOException e) {
            file.close();
            throw new VhdException(ProblemCode.IO_ERROR, path + ": " + e.getMessage(), e);
        }
    }

    public Path path() { return file.path(); }
    public ImageFile file() { return file; }
    public ImageStructure structure() { return structure; }
    public Footer footer() { return structure.footer(); }
    public DiskType type() { return structure.type(); }
    public long virtualSize() { return structure.footer().currentSize(); }
    public boolean writable() { return file.writable(); }

    /**
     * Reports [offset, offset+length) as runs, in order, each either held by this layer (with its file
     * offset) or not (-1: the parent's, or zeros for a disk without a parent). Adjacent runs are merged.
     */
    public abstract void mapRuns(long offset, long length, RunSink sink) throws IOException;

    /** Writes whole sectors; in a sparse image the sectors become present in this layer. */
    public abstract void write(long offset, ByteBuffer src) throws IOException;

    /** Makes the range read as zeros from this layer on. */
    public abstract void zero(long offset, long length) throws IOException;

    /** The sectors this layer holds, as sorted, merged byte extents; cost follows allocated blocks. */
    public abstract List<Extent> presentExtents() throws IOException;

    /** Reads only this layer's bytes for a range it holds entirely (as {@link #presentExtents()} reported). */
    public void readPresent(long offset, ByteBuffer dst) throws IOException {
        Sectors.requireWithin(offset, dst.remaining(), virtualSize());
        long[] at = {offset};
        mapRuns(offset, dst.remaining(), (o, len, fileOff) -> {
            if (fileOff < 0) {
                throw new VhdException(ProblemCode.OUT_OF_RANGE, "sectors at " + o + " are not present in " + path());
            }
            ByteBuffer slice = dst.slice(dst.position() + (int) (o - at[0]), (int) len);
            file.readFully(fileOff, slice);
        });
        dst.position(dst.limit());
    }

    /** Everything written so far is on the disk: data and metadata (fdatasync). */
    public void sync() throws IOException {
        file.force();
    }

    /**
     * Everything written so far is in the file for other readers (a fresh open) to see, without waiting for
     * the disk beyond the one barrier that keeps metadata behind its data ({@link SparseImage} holds new
     * metadata until then, see docs/crash-safety.md); {@link #sync()} and {@link #close()} do this too.
     */
    public void flush() throws IOException {
    }

    protected void checkWrite(long offset, long length) throws VhdException {
        if (!writable()) {
            throw new VhdException(ProblemCode.READ_ONLY, path() + " is open read-only");
        }
        Sectors.requireAligned(offset, "offset");
        Sectors.requireAligned(length, "length");
        Sectors.requireWithin(offset, length, virtualSize());
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    @Override
    public String toString() {
        return type() + " " + path();
    }
}
