package io.conifer.backup;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far a running backup's copy is: the bytes of the files it has finished (copied, or reused from an
 * earlier backup without copying) plus the chunks moved of the files in hand (several are copied at
 * once), out of the size of every file it holds (its {@code size_bytes} once Ready).
 */
public final class BackupProgress {
    private final long totalBytes;
    /**
     * Guards {@link #finished} and {@link #inHand} together: a file moves from one to the other in one
     * step, so no snapshot counts it twice or not at all (which made the percentage jump and fall back).
     */
    private final Object lock = new Object();
    private long finished;
    private final Set<InFile> inHand = new HashSet<>();

    BackupProgress(long totalBytes) {
        this.totalBytes = totalBytes;
    }

    /** One file being copied: its chunks count up to its length (a stored form may be longer), until it finishes. */
    final class InFile {
        private final long length;
        private final AtomicLong moved = new AtomicLong();

        private InFile(long length) {
            this.length = length;
        }

        void chunk(long bytes) {
            moved.addAndGet(bytes);
        }

        void finish() {
            synchronized (lock) {
                if (inHand.remove(this)) finished += length;
            }
        }

        private long done() {
            return Math.min(moved.get(), length);
        }
    }

    InFile startFile(long length) {
        InFile f = new InFile(length);
        synchronized (lock) {
            inHand.add(f);
        }
        return f;
    }

    public Snapshot now() {
        synchronized (lock) {
            long done = finished;
            for (InFile f : inHand) done += f.done();
            // A file whose every chunk has moved is not finished yet (its blob is still being published).
            long cap = inHand.isEmpty() ? totalBytes : totalBytes - 1;
            return new Snapshot(Math.max(0, Math.min(cap, done)), totalBytes);
        }
    }

    /** The progress at one moment. */
    public record Snapshot(long doneBytes, long totalBytes) {
        /** Whole percents, 100 only once every file is finished (the manifest may still be being written). */
        public int percent() {
            return totalBytes == 0 ? 0 : (int) (doneBytes * 100 / totalBytes);
        }
    }
}
