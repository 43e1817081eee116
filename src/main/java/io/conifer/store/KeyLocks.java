package io.conifer.store;

import java.util.Collection;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * Serialises writes to the same record while letting writes to different records run in parallel.
 * Holding a record's lock from WAL append until Lucene apply keeps the log's order and the index's
 * order identical for that record, which is what makes replay reproduce the acknowledged state.
 *
 * <p>Locks are exact, per key (not striped): two batches conflict only if they share a record, so
 * concurrent batches of random ids really do index in parallel. Keys are taken in sorted order, so two
 * callers cannot deadlock.
 */
final class KeyLocks {
    private final ConcurrentHashMap<String, CountDownLatch> held = new ConcurrentHashMap<>();

    Held lock(Collection<String> keys) {
        TreeSet<String> sorted = new TreeSet<>(keys);
        CountDownLatch mine = new CountDownLatch(1);
        for (String key : sorted) {
            while (true) {
                CountDownLatch other = held.putIfAbsent(key, mine);
                if (other == null) break;
                try {
                    other.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    release(sorted.headSet(key), mine);
                    throw new IllegalStateException("Interrupted while waiting to write " + key, e);
                }
            }
        }
        return () -> release(sorted, mine);
    }

    private void release(Collection<String> keys, CountDownLatch mine) {
        for (String key : keys) held.remove(key, mine);
        mine.countDown();
    }

    interface Held extends AutoCloseable {
        @Override
        void close();
    }
}
