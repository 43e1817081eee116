package io.conifer.store;

import io.conifer.files.DurableFiles;

import java.io.Closeable;
import io.conifer.files.ForegroundSyncs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * The write-ahead log that makes a write durable before Lucene commits it.
 *
 * <p>Every write is appended as one record {@code [int length][long seq][int crc32c][payload]} and is
 * acknowledged only after {@link #sync} has forced it to disk. Syncs are group commits: one thread
 * fsyncs on behalf of every record appended so far, so concurrent writers share one fsync.
 *
 * <p>The log is a sequence of files named by the first sequence number they hold. A Lucene commit
 * records the highest sequence {@code S} whose every predecessor is applied ({@link #checkpointable});
 * after that commit, files holding only records {@code <= S} are deleted. On open, records after the
 * committed {@code S} are replayed; {@link WalReader} tells a torn tail (cut off) from corruption
 * (opening fails and nothing is changed).
 *
 * <p>A failed append (a full disk) leaves nothing behind: the file is cut back to what was appended
 * whole, so later records never sit behind garbage. A failed fsync (in {@link #sync} or {@link #roll})
 * cuts the file back to what was last synced, fails every record cut off, and leaves the log unusable
 * until it is reopened: after a failed fsync the kernel may have dropped the unsynced pages, so only a
 * reread says what the file holds, and going on would leave a gap in the numbering where the cut-off
 * records were, which {@link WalReader} rightly takes for damage (acknowledged records after the gap
 * would then be cut as a torn tail or refuse to open). Reopening numbers on from the last synced record.
 */
final class WriteAheadLog implements Closeable {
    static final int HEADER = 4 + 8 + 4;
    private static final String PREFIX = "wal-";
    private static final String SUFFIX = ".log";

    /** Receives each replayed record in order. */
    interface Replayer {
        void replay(long seq, byte[] payload) throws IOException;
    }

    private final Path dir;
    private final Object appendLock = new Object();
    private final ReentrantLock syncLock = new ReentrantLock();
    private final ConcurrentSkipListSet<Long> unapplied = new ConcurrentSkipListSet<>();
    /** Appended records a failed sync cut off again; their writers must fail, never be acknowledged. */
    private final ConcurrentSkipListSet<Long> cutOff = new ConcurrentSkipListSet<>();
    private FileChannel current;
    private long currentBytes;
    private long lastSeq;
    private volatile long syncedSeq;
    /** How much of {@link #current} is known to be on disk. */
    private long syncedBytes;
    private volatile IOException broken;
    /** Why the last sync failed: the reason each record it cut off gives its writer. */
    private volatile IOException syncFailure;

    /** Opens each log file for appending; tests pass one whose channels fail on demand. */
    interface LogFiles {
        FileChannel openForAppend(Path file) throws IOException;

        LogFiles REAL = file -> FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private final LogFiles logFiles;

    private WriteAheadLog(Path dir, LogFiles logFiles) {
        this.dir = dir;
        this.logFiles = logFiles;
    }

    /**
     * Opens the log, replaying every record with a sequence above {@code afterSeq}. A torn tail is cut
     * off; any other damage throws {@link WalCorruptionException} and changes nothing on disk.
     */
    static WriteAheadLog open(Path dir, long afterSeq, Replayer replayer) throws IOException {
        return open(dir, afterSeq, replayer, LogFiles.REAL);
    }

    static WriteAheadLog open(Path dir, long afterSeq, Replayer replayer, LogFiles logFiles) throws IOException {
        DurableFiles.createDirectories(dir);
        WriteAheadLog wal = new WriteAheadLog(dir, logFiles);
        WalReader.Result read = WalReader.read(files(dir), afterSeq, (seq, payload) -> {
            if (seq > afterSeq) replayer.replay(seq, payload);
        });
        WalReader.Stop stop = read.stop();
        if (stop != null && !stop.torn()) throw new WalCorruptionException(stop);
        if (stop != null) cutTornTail(stop);
        forceLast(files(dir));
        long last = Math.max(afterSeq, read.lastSeq());
        wal.lastSeq = last;
        wal.syncedSeq = last;
        wal.startFile(last + 1);
        wal.syncedBytes = wal.currentBytes;
        return wal;
    }

    /** A crash mid-append leaves a partial record that was never acknowledged: it goes. */
    private static void cutTornTail(WalReader.Stop stop) throws IOException {
        try (FileChannel ch = FileChannel.open(stop.file(), StandardOpenOption.WRITE)) {
            ch.truncate(stop.offset());
            ch.force(true);
        }
    }

    /**
     * Forces the file new records will follow: a log reopened after a failed fsync was cut back in the
     * page cache only, and records numbered on from the cut must never land on disk after the old tail
     * (a crash would then replay the refused records and find the new file out of sequence).
     */
    private static void forceLast(List<Path> files) throws IOException {
        if (files.isEmpty()) return;
        try (FileChannel ch = FileChannel.open(files.get(files.size() - 1), StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    static int checksum(long seq, byte[] payload) {
        CRC32C crc = new CRC32C();
        ByteBuffer s = ByteBuffer.allocate(8).putLong(0, seq);
        crc.update(s);
        crc.update(payload);
        return (int) crc.getValue();
    }

    /** Appends a record and returns its sequence number; it stays unapplied until {@link #applied}. */
    long append(byte[] payload) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        ByteBuffer body = ByteBuffer.wrap(payload);
        ByteBuffer[] record = {header, body}; // one gathering write: a large payload is not copied again
        synchronized (appendLock) {
            checkUsable();
            long seq = lastSeq + 1;
            header.putInt(payload.length).putLong(seq).putInt(checksum(seq, payload)).flip();
            try {
                while (header.hasRemaining() || body.hasRemaining()) current.write(record);
            } catch (IOException e) {
                cutBackTo(currentBytes, e);
                throw e;
            }
            lastSeq = seq;
            currentBytes += HEADER + payload.length;
            unapplied.add(seq);
            return seq;
        }
    }

    /**
     * Returns once the record {@code seq} and all before it are on disk. If the sync fails, every record
     * not yet synced is cut off the log, and this and each later {@code sync} of one of them fails.
     */
    void sync(long seq) throws IOException {
        if (syncedSeq >= seq) {
            checkNotCutOff(seq); // read after syncedSeq: a cut-off record is marked before syncs pass it
            return;
        }
        syncLock.lock();
        try {
            checkNotCutOff(seq);
            if (syncedSeq >= seq) return;
            checkUsable();
            long target;
            long targetBytes;
            FileChannel ch;
            synchronized (appendLock) {
                target = lastSeq;
                targetBytes = currentBytes;
                ch = current;
            }
            ForegroundSyncs.begin();
            try {
                ch.force(false);
            } catch (IOException e) {
                synchronized (appendLock) {
                    failedSync(e);
                }
                throw e;
            } finally {
                ForegroundSyncs.end();
            }
            synchronized (appendLock) {
                syncedSeq = target;
                syncedBytes = targetBytes;
            }
        } finally {
            syncLock.unlock();
        }
    }

    /**
     * Caller holds appendLock and syncLock, after a failed fsync: fails every record not yet synced, cuts
     * them off and takes the log out of use until it is reopened (see the class comment).
     */
    private void failedSync(IOException e) {
        syncFailure = e;
        cutOff.addAll(unapplied.tailSet(syncedSeq, false));
        cutBackTo(syncedBytes, e);
        if (broken == null) broken = e;
    }

    private void checkNotCutOff(long seq) throws IOException {
        if (cutOff.contains(seq)) {
            throw new IOException("Write-ahead log record " + seq + " was removed again after a failed sync", syncFailure);
        }
    }

    /** Caller holds appendLock. Truncating needs no free space; if even that fails, the log is unusable. */
    private void cutBackTo(long bytes, IOException cause) {
        try {
            current.truncate(bytes);
            currentBytes = bytes;
        } catch (IOException e) {
            cause.addSuppressed(e);
            broken = cause;
        }
    }

    /** Whether a failure (a failed fsync, or a cut that failed) left the log unusable until it is reopened. */
    boolean isBroken() {
        return broken != null;
    }

    /** Marks {@code seq} as applied to the index (or abandoned), so a checkpoint may pass it. */
    void applied(long seq) {
        unapplied.remove(seq);
        cutOff.remove(seq);
    }

    /** The highest sequence number S such that every record up to S has been applied. */
    long checkpointable() {
        synchronized (appendLock) {
            // applied() removes without the append lock, so the set may empty between two calls: ask once.
            Long lowest = unapplied.ceiling(Long.MIN_VALUE);
            return lowest == null ? lastSeq : lowest - 1;
        }
    }

    long bytesSinceRoll() {
        synchronized (appendLock) {
            return currentBytes;
        }
    }

    /** Starts a new file so that older files can be deleted once a checkpoint covers them. */
    void roll() throws IOException {
        syncLock.lock();
        try {
            synchronized (appendLock) {
                checkUsable();
                if (currentBytes == 0) return;
                try {
                    current.force(false);
                } catch (IOException e) {
                    failedSync(e);
                    throw e;
                }
                current.close();
                syncedSeq = lastSeq;
                startFile(lastSeq + 1);
                syncedBytes = currentBytes;
            }
        } finally {
            syncLock.unlock();
        }
    }

    /** Deletes every file whose records are all at or below {@code checkpointSeq}. */
    void trim(long checkpointSeq) throws IOException {
        List<Path> files = files(dir);
        for (int i = 0; i + 1 < files.size(); i++) {
            long nextFirst = firstSeq(files.get(i + 1));
            if (nextFirst <= checkpointSeq + 1) Files.deleteIfExists(files.get(i));
        }
    }

    private void startFile(long firstSeq) throws IOException {
        Path file = dir.resolve(String.format("%s%020d%s", PREFIX, firstSeq, SUFFIX));
        current = logFiles.openForAppend(file);
        currentBytes = current.size();
        DurableFiles.fsyncDirectory(dir);
    }

    static List<Path> files(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            ds.forEach(out::add);
        }
        out.sort((a, b) -> Long.compare(firstSeq(a), firstSeq(b)));
        return out;
    }

    static long firstSeq(Path file) {
        String n = file.getFileName().toString();
        return Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length()));
    }

    private void checkUsable() throws IOException {
        if (broken != null) throw new IOException("Write-ahead log failed earlier; writes are refused", broken);
    }

    @Override
    public void close() throws IOException {
        synchronized (appendLock) {
            // Closed even when the final sync fails: an open handle would pin a deleted file's space.
            try (FileChannel ch = current) {
                if (ch.isOpen()) ch.force(false);
            }
        }
    }
}
