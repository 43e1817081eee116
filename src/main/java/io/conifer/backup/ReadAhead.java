package io.conifer.backup;

import io.conifer.files.DurableFiles;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.InputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads a stream one buffer ahead on another thread, so that reading (from the device, or decrypting)
 * the next buffer overlaps the caller's hashing and writing of the last: a restore then takes about
 * as long as the slower of the two, not their sum.
 */
final class ReadAhead implements Closeable {
    /** Each read mostly waits on the device or the network; the threads are made as copies need them. */
    private static final ExecutorService READERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "conifer-read-ahead");
        t.setDaemon(true);
        return t;
    });

    /** Bytes the caller may use until its next call of {@link #next}. */
    record Chunk(byte[] bytes, int length) {}

    private final InputStream in;
    private final byte[][] buffers;
    private Future<Integer> pending;
    private int filling;

    ReadAhead(InputStream in, int size) {
        this.in = in;
        this.buffers = new byte[][] {new byte[size], new byte[size]};
        this.pending = readInto(0);
    }

    /** The next bytes, or null at the end; the chunk returned before is read into again from now on. */
    Chunk next() throws IOException {
        if (pending == null) return null;
        int n = await(pending);
        byte[] filled = buffers[filling];
        if (n == 0) {
            pending = null;
            return null;
        }
        filling ^= 1;
        pending = n < filled.length ? null : readInto(filling);
        return new Chunk(filled, n);
    }

    private Future<Integer> readInto(int buffer) {
        byte[] b = buffers[buffer];
        return READERS.submit(() -> in.readNBytes(b, 0, b.length));
    }

    private static int await(Future<Integer> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while reading");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) throw io;
            if (cause instanceof RuntimeException re) throw re;
            if (cause instanceof Error err) throw err;
            throw new IOException(cause);
        }
    }

    /** Waits for a read still running (its outcome no longer matters), so the stream can be closed under no reader. */
    @Override
    public void close() {
        if (pending == null) return;
        try {
            DurableFiles.awaitUninterruptibly(pending);
        } catch (ExecutionException e) {
            // the read failed, and nobody waits for what it read
        }
        pending = null;
    }
}
