package io.conifer.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * Flushes a file being written in the background, one {@code fdatasync} at a time, so the device
 * writes what came before while the writer goes on: a bulk copy then never stops to wait for the
 * device, yet what sits unflushed stays bounded by what the writer adds between two {@link #start}s
 * plus the flush in flight. The writer {@link #await}s the last flush (or {@link #drain}s it after a
 * failure) before it closes the file, so no flush outlives the copy.
 */
public final class FlushBehind {
    /** Each flush only waits on the device, so a virtual thread apiece costs nothing. */
    private static final Executor FLUSHES = Executors.newVirtualThreadPerTaskExecutor();
    private final FileChannel file;
    private CompletableFuture<Void> flushing = CompletableFuture.completedFuture(null);

    public FlushBehind(FileChannel file) {
        this.file = file;
    }

    /** Waits for the flush in flight, then starts one of everything written so far. */
    public void start() throws IOException {
        await();
        flushing = CompletableFuture.runAsync(() -> {
            try {
                file.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, FLUSHES);
    }

    /** Waits for the flush in flight and rethrows its failure. */
    public void await() throws IOException {
        try {
            flushing.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException io) throw io.getCause();
            throw e;
        }
    }

    /** After a failed copy: waits for the flush in flight (uninterruptibly), ignoring its outcome. */
    public void drain() {
        flushing.exceptionally(t -> null).join();
    }
}
