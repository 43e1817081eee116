package io.conifer.backup;

import com.sun.nio.file.ExtendedOpenOption;
import io.conifer.files.DiskSpace;
import io.conifer.files.FlushBehind;
import io.conifer.files.ForegroundSyncs;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * Copies a file into the repository the way a backup beside live traffic should, as a pipeline of
 * stages that overlap: the caller reads a chunk from a {@link BlobSource} (which names the blob by its
 * content, hashing a plain file's {@link TreeHash} leaves on other threads, and may encrypt it), a
 * writer thread computes its CRC32C and writes it, and (with read-back on) a verifier thread reads it
 * back from the device with {@code O_DIRECT} and checks its CRC32C. A chunk's buffer is filled again
 * only once it is both hashed and written, so the name and the CRC32C are of exactly the bytes written.
 *
 * <p>How a chunk is written depends on the read-back. With it, the blob is written with {@code O_DIRECT},
 * so what is read back is what the device returns, not the page cache's copy. Without it (the default)
 * the blob is written through the page cache in {@link #BUFFERED_WRITE} calls, the way {@code cp} does,
 * which on the virtual disks measured here was 1.6–1.8x faster than direct writes of any size (the
 * kernel's writeback keeps the device busier than one direct write at a time). Either way the dirty data
 * stays bounded, so no large backlog's flush stalls the write-ahead log's small fsyncs (upsert latency):
 * with no client writing, a background fdatasync ({@link FlushBehind}) starts every {@link #IDLE_FLUSH}
 * bytes; while clients write, each {@link #PIECE} is flushed as it is written and waits while a log fsync
 * runs ({@link ForegroundSyncs}). The price of writing buffered: the blob's pages stay in the page cache
 * until the kernel evicts them, beside the index's own (Java 21 has no {@code posix_fadvise} to drop them).
 * A blob is as durable either way (fsynced before the backup is Ready)
 * and its CRC32C, recorded in the manifest, checks every restore and {@code conifer backup verify}; what
 * the read-back adds is the check, before Ready, that the device returns what it was given (most backup
 * tools leave that to a separate verify), at twice the device I/O. File systems that refuse
 * {@code O_DIRECT} (tmpfs) get the read-back from the page cache.
 *
 * <p>Before each chunk the copy checks that the rest of the file still leaves the disk's reserve free
 * ({@link DiskSpace#requireHeadroom}), so a backup fails with a clear reason before it fills a disk
 * it shares with live indexes.
 *
 * <p>Chunks are written and verified in order (each stage is one thread), so the CRC32C of the
 * read-back is comparable with the one computed while writing. The last chunk is padded to the block
 * size (direct I/O moves whole blocks only), and the file is truncated to its length before the final fsync.
 */
final class BlobCopy implements Closeable {
    static final int CHUNK = 2 << 20;
    /**
     * Chunks being read, hashed (one per leaf hasher) and written at once: enough to keep the hashers and
     * the device busy, little in flight.
     */
    private static final int BUFFERS = TreeHash.HASHERS + 2;
    /** Direct I/O needs the file system's block size; larger or odd block sizes are copied buffered. */
    private static final int MAX_ALIGN = 64 << 10;
    /** The piece a chunk is written in while clients write (a multiple of every block size allowed). */
    private static final int PIECE = 256 << 10;
    /**
     * The most one buffered write call hands the kernel: on the Linux 6.18 VM measured, buffered writes of
     * 2 MiB a call took twice as long to reach the disk as the same bytes in 128–512 KiB calls.
     */
    static final int BUFFERED_WRITE = 512 << 10;
    /** How recently a log fsync must have run for clients to count as writing. */
    private static final long RECENT_NANOS = 100_000_000;
    /** The longest a chunk waits for log fsyncs to finish before it goes anyway. */
    private static final long MAX_YIELD_NANOS = 20_000_000;
    /** The most written between two flushes while no client writes. */
    private static final long IDLE_FLUSH = 32L << 20;
    /** How long a failed copy waits for its chunks still in flight before giving their buffers up. */
    private static final long DRAIN_SECONDS = 30;

    /** Direct buffers are costly to allocate (and zero) per file; copies reuse them. */
    private final ConcurrentLinkedQueue<ByteBuffer> pool = new ConcurrentLinkedQueue<>();
    private final Map<Path, Integer> alignments = new ConcurrentHashMap<>();
    private final ExecutorService writer = singleThread("conifer-backup-write");
    private final ExecutorService verifier = singleThread("conifer-backup-verify");
    private final boolean readBack;
    private final AtomicLong bytesReadBack = new AtomicLong();
    private final AtomicLong piecesFlushed = new AtomicLong();
    private volatile boolean closed;

    /** A copier that reads every chunk back from the device and checks it. */
    BlobCopy() {
        this(true);
    }

    /** {@code readBack}: whether each chunk written is read back from the device and its CRC32C checked. */
    BlobCopy(boolean readBack) {
        this.readBack = readBack;
    }

    /** Bytes read back from the device so far by every copy. */
    long bytesReadBack() {
        return bytesReadBack.get();
    }

    /** Pieces written and flushed one by one because clients were writing. */
    long piecesFlushed() {
        return piecesFlushed.get();
    }

    /**
     * {@code name} and {@code length} are the source's, {@code crc32c} that of the bytes written;
     * {@code direct} whether they were written with {@code O_DIRECT}.
     */
    record Result(String name, long length, int crc32c, boolean direct) {}

    /** Writes what {@code source} yields into the new file {@code target} (which must not exist), durably. */
    Result copy(BlobSource source, Path target, Throttle throttle) throws IOException {
        if (closed) throw new IOException("The backup repository is closed");
        Copy copy = new Copy();
        try {
            return copy.run(source, target, throttle);
        } finally {
            // A buffer goes back only once no stage can touch it again; if a failed copy's chunks did
            // not drain, its buffers are left to the garbage collector instead.
            if (copy.drained) pool.addAll(copy.owned);
        }
    }

    /** One file's copy: its buffers, its in-flight chunks and its checksums. */
    private final class Copy {
        private final ByteBuffer[] buffers = new ByteBuffer[BUFFERS];
        /** The pooled buffers the slices above were cut from. */
        private final List<ByteBuffer> owned = new ArrayList<>();
        /** Per buffer: its chunk's write and hashing, after which it may be filled again. */
        @SuppressWarnings("unchecked")
        private final CompletableFuture<Void>[] done = new CompletableFuture[BUFFERS];
        private CompletableFuture<Void> verified = CompletableFuture.completedFuture(null);
        private boolean drained = true;
        /** Bytes written since the last flush (writer thread only). */
        private long unflushed;
        private FlushBehind flush;
        /** The most one write call hands the kernel while no client writes. */
        private int idleWrite;

        Result run(BlobSource source, Path target, Throttle throttle) throws IOException {
            CRC32C sent = new CRC32C();
            CRC32C readBackCrc = new CRC32C();
            // Only a read-back needs the device's copy rather than the page cache's.
            int align = readBack ? alignment(target) : 0;
            ByteBuffer verifyBuffer = readBack ? take(align) : null;
            long length = 0;
            FileChannel out = openTarget(target, align > 0);
            flush = new FlushBehind(out);
            int pad = align > 0 ? align : 4096;
            idleWrite = align > 0 ? CHUNK : BUFFERED_WRITE;
            // From here on the target is ours: any failure removes it.
            try (out) {
                long size = source.storedLength();
                for (int k = 0; ; k++) {
                    // Chunks still in flight are not on disk yet: count them as still to write.
                    DiskSpace.requireHeadroom(target, Math.min(size, size - length + (long) BUFFERS * CHUNK), "this backup");
                    int slot = k % BUFFERS;
                    if (done[slot] != null) join(done[slot]);
                    if (buffers[slot] == null) buffers[slot] = take(align);
                    ByteBuffer buf = buffers[slot].clear().limit(CHUNK);
                    long position = length;
                    int n = source.read(buf);
                    if (n == 0) break;
                    CompletableFuture<Void> hashed = source.released();
                    buf.flip();
                    throttle.acquire(n);
                    length += n;
                    boolean last = n < CHUNK || length == size;
                    // The writer computes the CRC32C of what it is given, in order (one thread), so
                    // this thread only reads and hands out work.
                    CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
                        sent.update(buf.duplicate());
                        write(out, buf, position, n, pad, last);
                    }, writer);
                    done[slot] = CompletableFuture.allOf(write, hashed);
                    if (readBack) {
                        // Each read-back waits for its chunk's write and for the read-back before it, so the
                        // CRC32C sees the file in order and a failure reaches the end of the chain.
                        verified = write.thenCombineAsync(verified, (w, v) -> {
                            readBack(out, verifyBuffer, position, n, pad, readBackCrc);
                            bytesReadBack.addAndGet(n);
                            return null;
                        }, verifier);
                    }
                    if (last) break;
                }
                join(verified);
                for (CompletableFuture<Void> w : done) if (w != null) join(w);
                flush.await();
                out.truncate(length);
                // The one check of what was written that needs no read: a wrong position, padding or
                // truncation shows here first.
                if (out.size() != length) {
                    throw new IOException("The blob is " + out.size() + " bytes long after its copy, not " + length);
                }
                // Behind a running log fsync, as every chunk write is: several files finish at once.
                ForegroundSyncs.awaitIdle(MAX_YIELD_NANOS);
                out.force(true);
            } catch (IOException | RuntimeException | Error e) {
                drained = drain();
                flush.drain();
                try {
                    Files.deleteIfExists(target);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            if (readBack && readBackCrc.getValue() != sent.getValue()) {
                Files.deleteIfExists(target);
                throw new IOException("Verification failed after writing a blob: CRC32C " + Long.toHexString(readBackCrc.getValue())
                        + " read back from the device, " + Long.toHexString(sent.getValue()) + " written");
            }
            return new Result(source.name(), source.length(), (int) sent.getValue(), align > 0);
        }

        /**
         * Writes a chunk, flushing it from the device's write cache piece by piece while clients write
         * (a write-ahead-log fsync must flush that cache too, and should find at most one piece of
         * backup data there). With no client writing, the
         * flushes are spaced {@link #IDLE_FLUSH} apart and run behind the writes ({@link FlushBehind}),
         * so a client that starts finds little there.
         * Runs on the writer thread only.
         */
        private void write(FileChannel out, ByteBuffer chunk, long position, int n, int pad, boolean last) {
            boolean flushed = writeAt(out, chunk, position, n, pad, idleWrite, piecesFlushed);
            unflushed += n;
            boolean clientsWriting = ForegroundSyncs.recentlyActive(RECENT_NANOS);
            if (last || (unflushed < IDLE_FLUSH && !clientsWriting)) return;
            try {
                if (clientsWriting) {
                    flush.await();
                    if (!flushed) out.force(false);
                } else {
                    // Nobody waits on the device: it flushes this window while the next is written.
                    flush.start();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            unflushed = 0;
        }

        /** A chunk buffer aligned to {@code align} (any alignment up to {@link #MAX_ALIGN} fits a pooled one). */
        private ByteBuffer take(int align) {
            ByteBuffer raw = pool.poll();
            if (raw == null) raw = ByteBuffer.allocateDirect(CHUNK + MAX_ALIGN);
            owned.add(raw);
            return raw.alignedSlice(align > 0 ? align : 4096).limit(CHUNK);
        }

        /** Waits for every chunk still being written or read back; false if some did not finish in time. */
        private boolean drain() {
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            for (CompletableFuture<Void> w : done) if (w != null) pending.add(w);
            pending.add(verified);
            try {
                CompletableFuture.allOf(pending.stream().map(f -> f.exceptionally(t -> null)).toArray(CompletableFuture[]::new))
                        .get(DRAIN_SECONDS, TimeUnit.SECONDS);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException | TimeoutException e) {
                return false;
            }
        }
    }

    /**
     * The block size direct I/O must align to in {@code target}'s file system (the JDK checks the
     * buffer address, length and file position against it), or 0 to copy buffered.
     */
    private int alignment(Path target) {
        // Looking the file system up reads the mount table: once per directory, not per blob.
        return alignments.computeIfAbsent(target.getParent(), BlobCopy::blockAlignment);
    }

    /** The block size direct I/O of whole {@link #CHUNK}s must align to in directory {@code dir}, or 0 for buffered I/O. */
    static int blockAlignment(Path dir) {
        try {
            long block = Files.getFileStore(dir).getBlockSize();
            boolean usable = block >= 512 && block <= MAX_ALIGN && Long.bitCount(block) == 1 && CHUNK % block == 0;
            return usable ? (int) block : 0;
        } catch (IOException | UnsupportedOperationException e) {
            return 0;
        }
    }

    private static FileChannel openTarget(Path target, boolean direct) throws IOException {
        if (direct) {
            try {
                return FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
            } catch (FileAlreadyExistsException e) {
                throw e;
            } catch (UnsupportedOperationException | IOException e) {
                // CREATE_NEW succeeded before O_DIRECT was refused (by the file system, or by the JDK
                // after the file was created): the file is ours to remove before copying buffered.
                Files.deleteIfExists(target);
            }
        }
        return FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
    }

    /**
     * Writes the chunk padded to the block size (direct I/O moves whole blocks only); true if its last
     * piece was also flushed from the device's cache.
     */
    private static boolean writeAt(FileChannel out, ByteBuffer chunk, long position, int n, int pad, int idleWrite,
            AtomicLong piecesFlushed) {
        ByteBuffer b = chunk.duplicate().position(0).limit(padded(n, pad));
        boolean flushed = false;
        try {
            while (b.hasRemaining()) {
                // While clients are writing, go in smaller pieces and check the gate before each, so a
                // log fsync that starts mid-chunk waits behind one piece, not a whole chunk.
                boolean clientsWriting = ForegroundSyncs.recentlyActive(RECENT_NANOS);
                int piece = clientsWriting ? PIECE : idleWrite;
                ForegroundSyncs.awaitIdle(MAX_YIELD_NANOS);
                ByteBuffer p = b.duplicate().limit(b.position() + Math.min(piece, b.remaining()));
                while (p.hasRemaining()) out.write(p, position + p.position());
                b.position(p.position());
                // And flush the piece from the device's write cache, which a log fsync must flush too:
                // it then finds at most one piece of backup data there, not a chunk.
                if (clientsWriting) {
                    out.force(false);
                    piecesFlushed.incrementAndGet();
                }
                flushed = clientsWriting;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return flushed;
    }

    private static void readBack(FileChannel out, ByteBuffer buf, long position, int n, int pad, CRC32C crc) {
        buf.clear().limit(padded(n, pad));
        try {
            while (buf.position() < n) {
                if (out.read(buf, position + buf.position()) < 0) {
                    throw new IOException("Blob ended at byte " + (position + buf.position()) + " while reading it back");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        crc.update(buf.flip().limit(n));
    }

    private static int padded(int n, int pad) {
        return (n + pad - 1) & -pad;
    }


    private static void join(CompletableFuture<Void> f) throws IOException {
        try {
            f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException io) throw io.getCause();
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IOException(e.getCause());
        }
    }

    private static ExecutorService singleThread(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Lets chunks already queued finish (a copy waiting on them must not hang), then stops the threads;
     * the writer first, because a finished write queues its read-back.
     */
    @Override
    public void close() {
        closed = true;
        for (ExecutorService stage : List.of(writer, verifier)) {
            stage.shutdown();
            try {
                stage.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
