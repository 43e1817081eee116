package io.conifer.backup;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How far a running backup's copy is: the bytes of the files it has finished (copied, or reused from an
 * earlier backup without copying) plus the chunks moved of the file in hand, out of the size of every
 * file it holds (its {@code size_bytes} once Ready).
 */
public final class BackupProgress {
    private final long totalBytes;
    private final AtomicLong finished = new AtomicLong();
    private final AtomicLong inFile = new AtomicLong();
    private volatile long fileLength;

    BackupProgress(long totalBytes) {
        this.totalBytes = totalBytes;
    }

    void startFile(long length) {
        fileLength = length;
        inFile.set(0);
    }

    void chunk(long bytes) {
        inFile.addAndGet(bytes);
    }

    void finishFile(long length) {
        finished.addAndGet(length);
        inFile.set(0);
        fileLength = 0;
    }

    public Snapshot now() {
        return new Snapshot(Math.min(totalBytes, finished.get() + Math.min(inFile.get(), fileLength)), totalBytes);
    }

    /** The progress at one moment. */
    public record Snapshot(long doneBytes, long totalBytes) {
        /** Whole percents, 100 only once every file is finished (the manifest may still be being written). */
        public int percent() {
            return totalBytes == 0 ? 0 : (int) (doneBytes * 100 / totalBytes);
        }
    }
}
