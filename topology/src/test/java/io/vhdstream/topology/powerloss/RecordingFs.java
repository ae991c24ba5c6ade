package io.vhdstream.topology.powerloss;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;

/**
 * A file system that is the real one underneath (every operation really happens, on the real files) and records,
 * in order, what reaches the disk under one root directory: creates, writes with their bytes, truncates, renames,
 * deletes, and the fsyncs of files and directories that returned ({@link FsEvent}). Code under test is given a
 * {@link #root()} path of this file system; every path it derives from it (resolve, getParent, directory listings)
 * stays in it, and {@code java.nio.file.Files} dispatches to this provider. {@link Path#toFile()} is refused, so
 * nothing can write around the recording unnoticed.
 */
final class RecordingFs extends FileSystemProvider {
    private final FileSystemProvider real = FileSystems.getDefault().provider();
    private final Path realRoot;
    private final Fs fs = new Fs();
    private final List<FsEvent> events = Collections.synchronizedList(new ArrayList<>());

    private RecordingFs(Path realRoot) {
        this.realRoot = realRoot.toAbsolutePath().normalize();
    }

    /** Records everything under {@code realRoot} (an existing directory) from now on. */
    static RecordingFs over(Path realRoot) {
        return new RecordingFs(realRoot);
    }

    /** The root, as a path of this file system. */
    Path root() {
        return wrap(realRoot);
    }

    List<FsEvent> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    // --- paths ---------------------------------------------------------------------------------------------

    private Path wrap(Path p) {
        return p == null ? null : new RPath(p);
    }

    private Path unwrap(Path p) {
        if (p instanceof RPath r) {
            return r.real;
        }
        return p == null ? null : realRoot.getFileSystem().getPath(p.toString());
    }

    /** The path relative to the root, '/'-separated, or null when it is outside the root. */
    private String rel(Path realPath) {
        Path a = realPath.toAbsolutePath().normalize();
        if (!a.startsWith(realRoot)) {
            return null;
        }
        return realRoot.relativize(a).toString().replace(a.getFileSystem().getSeparator(), "/");
    }

    private void record(FsEvent e) {
        events.add(e);
    }

    final class RPath implements Path {
        final Path real;

        RPath(Path real) {
            this.real = real;
        }

        @Override public FileSystem getFileSystem() { return fs; }
        @Override public boolean isAbsolute() { return real.isAbsolute(); }
        @Override public Path getRoot() { return wrap(real.getRoot()); }
        @Override public Path getFileName() { return wrap(real.getFileName()); }
        @Override public Path getParent() { return wrap(real.getParent()); }
        @Override public int getNameCount() { return real.getNameCount(); }
        @Override public Path getName(int index) { return wrap(real.getName(index)); }
        @Override public Path subpath(int begin, int end) { return wrap(real.subpath(begin, end)); }
        @Override public boolean startsWith(Path other) { return real.startsWith(unwrap(other)); }
        @Override public boolean endsWith(Path other) { return real.endsWith(unwrap(other)); }
        @Override public Path normalize() { return wrap(real.normalize()); }
        @Override public Path resolve(Path other) { return wrap(real.resolve(unwrap(other))); }
        @Override public Path relativize(Path other) { return wrap(real.relativize(unwrap(other))); }
        @Override public URI toUri() { return real.toUri(); }
        @Override public Path toAbsolutePath() { return wrap(real.toAbsolutePath()); }
        @Override public Path toRealPath(LinkOption... options) throws IOException { return wrap(real.toRealPath(options)); }
        @Override public java.io.File toFile() {
            throw new UnsupportedOperationException("toFile() would write around the recording: " + real);
        }
        @Override public WatchKey register(WatchService w, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... m) {
            throw new UnsupportedOperationException();
        }
        @Override public int compareTo(Path other) { return real.compareTo(unwrap(other)); }
        @Override public boolean equals(Object o) { return o instanceof RPath r && r.real.equals(real); }
        @Override public int hashCode() { return real.hashCode(); }
        @Override public String toString() { return real.toString(); }
        @Override public Iterator<Path> iterator() {
            List<Path> names = new ArrayList<>();
            real.iterator().forEachRemaining(p -> names.add(wrap(p)));
            return names.iterator();
        }
    }

    final class Fs extends FileSystem {
        @Override public FileSystemProvider provider() { return RecordingFs.this; }
        @Override public void close() { }
        @Override public boolean isOpen() { return true; }
        @Override public boolean isReadOnly() { return false; }
        @Override public String getSeparator() { return realRoot.getFileSystem().getSeparator(); }
        @Override public Iterable<Path> getRootDirectories() {
            return StreamSupport.stream(realRoot.getFileSystem().getRootDirectories().spliterator(), false).map(RecordingFs.this::wrap).toList();
        }
        @Override public Iterable<FileStore> getFileStores() { return realRoot.getFileSystem().getFileStores(); }
        @Override public Set<String> supportedFileAttributeViews() { return realRoot.getFileSystem().supportedFileAttributeViews(); }
        @Override public Path getPath(String first, String... more) { return wrap(realRoot.getFileSystem().getPath(first, more)); }
        @Override public PathMatcher getPathMatcher(String syntaxAndPattern) {
            PathMatcher m = realRoot.getFileSystem().getPathMatcher(syntaxAndPattern);
            return p -> m.matches(unwrap(p));
        }
        @Override public UserPrincipalLookupService getUserPrincipalLookupService() {
            return realRoot.getFileSystem().getUserPrincipalLookupService();
        }
        @Override public WatchService newWatchService() { throw new UnsupportedOperationException(); }
    }

    // --- the provider: real operations, recorded ----------------------------------------------------------

    @Override public String getScheme() { return "recording"; }
    @Override public FileSystem newFileSystem(URI uri, Map<String, ?> env) { throw new UnsupportedOperationException(); }
    @Override public FileSystem getFileSystem(URI uri) { throw new UnsupportedOperationException(); }
    @Override public Path getPath(URI uri) { return wrap(real.getPath(uri)); }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return newFileChannel(path, options, attrs);
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        Path r = unwrap(path);
        boolean existed = Files.exists(r);
        FileChannel ch = real.newFileChannel(r, options, attrs);
        String rel = rel(r);
        if (rel == null) {
            return ch;
        }
        boolean writing = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
        if (!existed) {
            record(new FsEvent.Create(rel, false));
        } else if (writing && options.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
            record(new FsEvent.Truncate(rel, 0));
        }
        return new Channel(ch, rel, options.contains(StandardOpenOption.APPEND), Files.isDirectory(r));
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        DirectoryStream<Path> ds = real.newDirectoryStream(unwrap(dir), p -> filter.accept(wrap(p)));
        return new DirectoryStream<>() {
            @Override public Iterator<Path> iterator() {
                Iterator<Path> it = ds.iterator();
                return new Iterator<>() {
                    @Override public boolean hasNext() { return it.hasNext(); }
                    @Override public Path next() { return wrap(it.next()); }
                };
            }
            @Override public void close() throws IOException { ds.close(); }
        };
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        Path r = unwrap(dir);
        real.createDirectory(r, attrs);
        String rel = rel(r);
        if (rel != null) {
            record(new FsEvent.Create(rel, true));
        }
    }

    @Override
    public void delete(Path path) throws IOException {
        Path r = unwrap(path);
        real.delete(r);
        String rel = rel(r);
        if (rel != null) {
            record(new FsEvent.Delete(rel));
        }
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        Path t = unwrap(target);
        boolean existed = Files.exists(t);
        real.copy(unwrap(source), t, options);
        String rel = rel(t);
        if (rel != null) {
            record(existed ? new FsEvent.Truncate(rel, 0) : new FsEvent.Create(rel, false));
            record(new FsEvent.Write(rel, 0, Files.readAllBytes(t)));
        }
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        Path s = unwrap(source);
        Path t = unwrap(target);
        real.move(s, t, options);
        String from = rel(s);
        String to = rel(t);
        if (from == null || to == null) {
            if (from != null || to != null) {
                throw new IOException("a rename across the recorded root is not modelled: " + s + " -> " + t);
            }
            return;
        }
        record(new FsEvent.Rename(from, to));
    }

    @Override public boolean isSameFile(Path a, Path b) throws IOException { return real.isSameFile(unwrap(a), unwrap(b)); }
    @Override public boolean isHidden(Path path) throws IOException { return real.isHidden(unwrap(path)); }
    @Override public FileStore getFileStore(Path path) throws IOException { return real.getFileStore(unwrap(path)); }
    @Override public void checkAccess(Path path, AccessMode... modes) throws IOException { real.checkAccess(unwrap(path), modes); }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        return real.getFileAttributeView(unwrap(path), type, options);
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options) throws IOException {
        return real.readAttributes(unwrap(path), type, options);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        return real.readAttributes(unwrap(path), attributes, options);
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        real.setAttribute(unwrap(path), attribute, value, options);
    }

    /** A real channel whose writes, truncates and fsyncs are recorded under the name the file had when opened. */
    private final class Channel extends FileChannel {
        private final FileChannel ch;
        private final String rel;
        private final boolean append;
        private final boolean directory;

        Channel(FileChannel ch, String rel, boolean append, boolean directory) {
            this.ch = ch;
            this.rel = rel;
            this.append = append;
            this.directory = directory;
        }

        private int recordWrite(long position, ByteBuffer src, int written) {
            if (written > 0) {
                byte[] b = new byte[written];
                src.duplicate().position(src.position() - written).get(b);
                record(new FsEvent.Write(rel, position, b));
            }
            return written;
        }

        @Override public int read(ByteBuffer dst) throws IOException { return ch.read(dst); }
        @Override public long read(ByteBuffer[] dsts, int offset, int length) throws IOException { return ch.read(dsts, offset, length); }
        @Override public int read(ByteBuffer dst, long position) throws IOException { return ch.read(dst, position); }

        @Override
        public int write(ByteBuffer src) throws IOException {
            long pos = append ? ch.size() : ch.position();
            return recordWrite(pos, src, ch.write(src));
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                total += write(srcs[i]);
            }
            return total;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return recordWrite(position, src, ch.write(src, position));
        }

        @Override public long position() throws IOException { return ch.position(); }
        @Override public FileChannel position(long p) throws IOException { ch.position(p); return this; }
        @Override public long size() throws IOException { return ch.size(); }

        @Override
        public FileChannel truncate(long size) throws IOException {
            if (size < ch.size()) {
                record(new FsEvent.Truncate(rel, size));
            }
            ch.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            ch.force(metaData);
            record(directory ? new FsEvent.SyncDir(rel) : new FsEvent.SyncFile(rel));
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return ch.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException("transferFrom is not recorded: " + rel);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            if (mode != MapMode.READ_ONLY) {
                throw new UnsupportedOperationException("a writable mapping is not recorded: " + rel);
            }
            return ch.map(mode, position, size);
        }

        @Override public FileLock lock(long position, long size, boolean shared) throws IOException { return ch.lock(position, size, shared); }
        @Override public FileLock tryLock(long position, long size, boolean shared) throws IOException { return ch.tryLock(position, size, shared); }
        @Override protected void implCloseChannel() throws IOException { ch.close(); }
    }
}
