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

    public long totalBytes() {
        return totalBytes;
    }

    public long doneBytes() {
        return Math.min(totalBytes, finished.get() + Math.min(inFile.get(), fileLength));
    }

    /** Whole percents, 100 only once every file is finished (the manifest may still be being written). */
    public int percent() {
        if (totalBytes == 0) return 0;
        return (int) (doneBytes() * 100 / totalBytes);
    }
}
