package io.conifer.backup;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Used by restores and backups (given the largest file first). Runs one I/O step per file on a few
 * threads, so hashing one file overlaps writing another and small files' fsyncs pass beside a large
 * file's copy; results
 * come back in the files' order and the first failure is rethrown (the rest are cancelled). It returns
 * only once no step runs any more: a failed restore removes the new index's directory next, which a
 * step still writing into it would otherwise refill.
 */
final class ParallelFiles {
    static final int THREADS = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));

    interface Step<T, R> {
        R apply(T item) throws IOException;
    }

    private ParallelFiles() {}

    static <T, R> List<R> map(List<T> items, Step<T, R> step) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "conifer-file-copy");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<R>> futures = new ArrayList<>(items.size());
            for (T item : items) futures.add(pool.submit(() -> step.apply(item)));
            List<R> out = new ArrayList<>(items.size());
            for (Future<R> f : futures) out.add(f.get());
            return out;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) throw io;
            if (cause instanceof RuntimeException re) throw re;
            throw new IOException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted", e);
        } finally {
            pool.shutdownNow();
            awaitSteps(pool);
        }
    }

    private static void awaitSteps(ExecutorService pool) {
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.MINUTES)) break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
