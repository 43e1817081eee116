package io.conifer.backup;

import com.sun.nio.file.ExtendedOpenOption;
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
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.CRC32C;

/**
 * Copies a file into the repository the way a backup beside live traffic should, as a pipeline of
 * three stages that overlap: the caller reads a chunk and hashes it (SHA-256 names the blob, CRC32C
 * checks it), a writer thread writes it with {@code O_DIRECT}, and a verifier thread reads it back
 * from the device with {@code O_DIRECT} and checks its CRC32C.
 *
 * <p>Why direct I/O: buffered writes pile up dirty pages whose writeback later stalls the write-ahead
 * log's small fsyncs (upsert latency), and they evict the index's own hot pages; written directly,
 * one chunk is in flight at a time, each waits while a log fsync runs ({@link ForegroundSyncs}), and
 * what is verified is what the device returns, not the page cache's copy. File systems that refuse {@code O_DIRECT} (tmpfs) get the same pipeline buffered.
 *
 * <p>Chunks are written and verified in order (each stage is one thread), so the CRC32C of the
 * read-back is comparable with the one computed while reading. The last chunk is padded to the block
 * size, as direct I/O requires, and the file is truncated to its length before the final fsync.
 */
final class DirectCopy implements Closeable {
    static final int CHUNK = 2 << 20;
    /** Chunks being hashed, queued and written at once: enough to keep the device busy, little in flight. */
    private static final int BUFFERS = 3;
    private static final int ALIGN = 4096;
    /** The longest a chunk waits for log fsyncs to finish before it goes anyway. */
    private static final long MAX_YIELD_NANOS = 20_000_000;

    /** Direct buffers are costly to allocate (and zero) per file; copies reuse them. */
    private final ConcurrentLinkedQueue<ByteBuffer> pool = new ConcurrentLinkedQueue<>();
    private final ExecutorService writer = singleThread("conifer-backup-write");
    private final ExecutorService verifier = singleThread("conifer-backup-verify");

    record Result(String sha256, long length, int crc32c) {}

    /** Copies {@code source} into the new file {@code target} (which must not exist), durably. */
    Result copy(Path source, Path target, Throttle throttle) throws IOException {
        ByteBuffer[] buffers = new ByteBuffer[BUFFERS + 1];
        try {
            return copy(source, target, throttle, buffers);
        } finally {
            // Only after every stage is done with them (copy waits for all, even when it fails).
            for (ByteBuffer b : buffers) if (b != null) pool.add(b);
        }
    }

    private Result copy(Path source, Path target, Throttle throttle, ByteBuffer[] buffers) throws IOException {
        MessageDigest sha = LocalBackupRepository.sha256();
        CRC32C sent = new CRC32C();
        CRC32C readBack = new CRC32C();
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] written = new CompletableFuture[BUFFERS];
        ByteBuffer verifyBuffer = buffers[BUFFERS] = take();
        CompletableFuture<Void> verified = CompletableFuture.completedFuture(null);
        long length = 0;
        FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
        FileChannel out;
        try {
            out = openTarget(target);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        // From here on the target is ours: any failure removes it.
        try (in; out) {
            long size = in.size();
            for (int k = 0; ; k++) {
                int slot = k % BUFFERS;
                if (written[slot] != null) join(written[slot]);
                if (buffers[slot] == null) buffers[slot] = take();
                ByteBuffer buf = buffers[slot].clear();
                long position = length;
                int n = readFully(in, buf, position);
                if (n == 0) break;
                buf.flip();
                sha.update(buf.duplicate());
                sent.update(buf.duplicate());
                throttle.acquire(n);
                length += n;
                boolean last = n < CHUNK || length == size;
                CompletableFuture<Void> write = CompletableFuture.runAsync(() -> writeAt(out, buf, position, n, !last), writer);
                written[slot] = write;
                // Each read-back waits for its chunk's write and for the read-back before it, so the
                // CRC32C sees the file in order and a failure reaches the end of the chain.
                verified = write.thenCombineAsync(verified, (w, v) -> {
                    readBack(out, verifyBuffer, position, n, readBack);
                    return null;
                }, verifier);
                if (last) break;
            }
            join(verified);
            for (CompletableFuture<Void> w : written) if (w != null) join(w);
            out.truncate(length);
            out.force(true);
        } catch (IOException | RuntimeException e) {
            awaitQuietly(written, verified);
            Files.deleteIfExists(target);
            throw e;
        }
        if (readBack.getValue() != sent.getValue()) {
            Files.deleteIfExists(target);
            throw new IOException("Verification failed after writing a blob: CRC32C " + Long.toHexString(readBack.getValue())
                    + " read back from the device, " + Long.toHexString(sent.getValue()) + " written");
        }
        return new Result(HexFormat.of().formatHex(sha.digest()), length, (int) sent.getValue());
    }

    private static FileChannel openTarget(Path target) throws IOException {
        OpenOption[] direct = {StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ,
                ExtendedOpenOption.DIRECT};
        try {
            return FileChannel.open(target, direct);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException e) {
            // This JDK cannot ask for O_DIRECT; nothing was created.
        } catch (IOException e) {
            // CREATE_NEW succeeded before the file system refused O_DIRECT: the file is ours to remove.
            Files.deleteIfExists(target);
        }
        return FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
    }

    /**
     * Writes the chunk padded to the block size (direct I/O moves whole blocks only), then flushes it
     * from the device's write cache (but for the last chunk, which the final fsync flushes): a
     * write-ahead log fsync must flush that cache too, and should find at most one chunk of backup
     * data there, not a whole file's.
     */
    private static void writeAt(FileChannel out, ByteBuffer chunk, long position, int n, boolean flush) {
        ByteBuffer b = chunk.duplicate().position(0).limit(padded(n));
        ForegroundSyncs.awaitIdle(MAX_YIELD_NANOS);
        try {
            while (b.hasRemaining()) out.write(b, position + b.position());
            if (flush) out.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void readBack(FileChannel out, ByteBuffer buf, long position, int n, CRC32C crc) {
        buf.clear().limit(padded(n));
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

    private static int readFully(FileChannel in, ByteBuffer buf, long position) throws IOException {
        buf.limit(CHUNK);
        while (buf.hasRemaining()) {
            if (in.read(buf, position + buf.position()) < 0) break;
        }
        return buf.position();
    }

    private static int padded(int n) {
        return (n + ALIGN - 1) & -ALIGN;
    }

    private ByteBuffer take() {
        ByteBuffer b = pool.poll();
        return b != null ? b : ByteBuffer.allocateDirect(CHUNK + ALIGN).alignedSlice(ALIGN);
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

    private static void awaitQuietly(CompletableFuture<Void>[] written, CompletableFuture<Void> verified) {
        for (CompletableFuture<Void> w : written) {
            if (w != null) w.exceptionally(t -> null).join();
        }
        verified.exceptionally(t -> null).join();
    }

    private static ExecutorService singleThread(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void close() {
        writer.shutdownNow();
        verifier.shutdownNow();
    }
}
