package io.conifer.vectors;

import java.util.Collection;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises writes to the same record while letting writes to different records run in parallel.
 * Holding a record's stripe from WAL append until Lucene apply keeps the log's order and the index's
 * order identical for that record, which is what makes replay reproduce the acknowledged state.
 */
final class StripedLocks {
    private final ReentrantLock[] locks;

    StripedLocks(int stripes) {
        locks = new ReentrantLock[stripes];
        for (int i = 0; i < stripes; i++) locks[i] = new ReentrantLock();
    }

    /** Locks the stripes of all keys in index order (so two callers cannot deadlock). */
    Held lock(Collection<String> keys) {
        boolean[] want = new boolean[locks.length];
        for (String k : keys) want[Math.floorMod(k.hashCode(), locks.length)] = true;
        int n = 0;
        for (boolean w : want) if (w) n++;
        int[] held = new int[n];
        int j = 0;
        for (int i = 0; i < want.length; i++) {
            if (want[i]) {
                locks[i].lock();
                held[j++] = i;
            }
        }
        return () -> {
            for (int i = held.length - 1; i >= 0; i--) locks[held[i]].unlock();
        };
    }

    interface Held extends AutoCloseable {
        @Override
        void close();
    }
}
