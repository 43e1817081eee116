package io.conifer.store;

import io.conifer.error.ConiferException;
import io.conifer.files.DiskSpace;
import io.conifer.files.DurableFiles;
import io.conifer.vectors.IndexStats;
import io.conifer.vectors.Limits;
import io.conifer.vectors.ListPage;
import io.conifer.vectors.NamespaceInfo;
import io.conifer.vectors.QueryLimits;
import io.conifer.vectors.Read;
import io.conifer.vectors.Written;
import java.io.Closeable;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KeepOnlyLastCommitDeletionPolicy;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRefHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One index's durable storage, whatever shape its records have: a Lucene index plus a write-ahead log.
 *
 * <p>Invariants: a write returns only after its WAL record is fsynced and it is applied to the
 * {@link IndexWriter} (so it survives {@code kill -9} and a later read sees it). Writes to the same
 * record are serialised by {@link KeyLocks}; writes spanning a namespace take the exclusive side of
 * {@link #barrier} so the log order equals the apply order. {@link #checkpoint()} commits Lucene with
 * the WAL position it covers and trims the log. When reads refresh the near-real-time searcher is
 * {@link RefreshPolicy}'s to decide; an index that stops receiving writes settles ({@link Settler}).
 *
 * <p>Storage failures (a full disk above all): a write whose log record cannot be made durable is
 * refused and leaves nothing behind. If the writer itself fails (a flush, commit or refresh hits the
 * full disk, or Lucene closes it after a tragic event), the {@link WriterGeneration} is marked failed:
 * writes are refused, reads go on from the searcher as last refreshed, and {@link #maintain} reopens the
 * writer from the last commit and replays the log once the disk has room again. No restart is needed.
 */
public final class StorageEngine<O> implements Closeable {
    static {
        QueryLimits.install(); // before any index serves a query
    }

    private static final Logger log = LoggerFactory.getLogger(StorageEngine.class);
    private static final String WAL_SEQ = "conifer.wal_seq";
    /** Free space that makes a failed writer worth reopening at once rather than after its back-off. */
    private static final long SPACE_FREED = 1 << 20;
    private static final long MAX_RECOVERY_DELAY_NANOS = 30_000_000_000L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean THREAD_CPU = THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();
    /**
     * Segments up to half the memory the heap leaves: on a machine not short of memory the page cache
     * keeps them once read, so a search over them does not wait for the disk.
     */
    static final long CACHEABLE_BYTES = Math.max(0, ((com.sun.management.OperatingSystemMXBean)
            ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize() - Runtime.getRuntime().maxMemory()) / 2;

    private final Path dir;
    private final RecordShape<O> shape;
    private final Analyzer analyzer;
    private final IndexWriter.IndexReaderWarmer mergedSegmentWarmer;
    private final StoreOptions options;
    private final Directory directory;
    private volatile WriterGeneration engine;
    private final KeyLocks keyLocks = new KeyLocks();
    private final ReentrantReadWriteLock barrier = new ReentrantReadWriteLock();
    private final RefreshPolicy refreshes;
    private final Settler settler;
    private final WriteGovernor governor;
    private final RecentReads recentReads = new RecentReads();
    private final Object checkpointLock = new Object();
    private final Path luceneDir;
    private final ConditionLog health;
    private volatile long committedSeq;
    /** CPU time spent applying writes the last checkpoint does not cover: what a replay would redo. */
    private final LongAdder applyNanosSinceCheckpoint = new LongAdder();
    /** Set by close and abandon: maintenance that raced a delete or shutdown then leaves the store alone. */
    private volatile boolean closed;
    private long recoveryDelayNanos;
    private long nextRecoveryNanos;
    private long usableAtLastRecovery;

    private StorageEngine(Path dir, RecordShape<O> shape, Analyzer analyzer, IndexWriter.IndexReaderWarmer mergedSegmentWarmer,
            StoreOptions options, Path luceneDir, Directory directory, WriteGovernor governor) {
        this.dir = dir;
        this.governor = governor;
        this.shape = shape;
        this.analyzer = analyzer;
        this.mergedSegmentWarmer = mergedSegmentWarmer;
        this.luceneDir = luceneDir;
        this.options = options;
        this.directory = directory;
        this.health = new ConditionLog(log, "Index storage " + dir);
        this.refreshes = new RefreshPolicy(options.refreshIntervalMillis(), governor);
        this.settler = new Settler(options.settleDelayMillis());
    }

    /**
     * Opens (or creates) the store in {@code dir}, replaying any log records newer than the last commit.
     * An existing index whose disk is too full to open its writer is opened for reads of its last commit;
     * {@link #maintain} opens the writer when space returns. {@code analyzer}: the writer's, for shapes
     * with analysed text (null: Lucene's default); {@code mergedSegmentWarmer}: prepares what searches
     * cache per segment for a merged segment, on the merge thread before searches see it (null: none). It
     * must not throw: Lucene takes a failed merge for a tragic event and closes the writer.
     */
    public static <O> StorageEngine<O> open(Path dir, RecordShape<O> shape, Analyzer analyzer,
            IndexWriter.IndexReaderWarmer mergedSegmentWarmer, StoreOptions options) throws IOException {
        return open(dir, shape, analyzer, mergedSegmentWarmer, options, WriteGovernor.SHARED);
    }

    static <O> StorageEngine<O> open(Path dir, RecordShape<O> shape, Analyzer analyzer,
            IndexWriter.IndexReaderWarmer mergedSegmentWarmer, StoreOptions options, WriteGovernor governor) throws IOException {
        Path luceneDir = dir.resolve("lucene");
        DurableFiles.createDirectories(luceneDir);
        Directory directory = FSDirectory.open(luceneDir);
        StorageEngine<O> store = new StorageEngine<>(dir, shape, analyzer, mergedSegmentWarmer, options, luceneDir, directory, governor);
        try {
            store.engine = store.openGeneration();
            store.committedSeq = store.engine.committedSeq;
        } catch (IOException | RuntimeException e) {
            if (!DiskSpace.isFull(e) || !DirectoryReader.indexExists(directory)) {
                directory.close();
                throw e;
            }
            long committed = committedSeq(directory);
            shape.reload(directory);
            store.engine = new WriterGeneration(null, null, SequencedSearchers.open(directory, committed, store.searchExecutor()), committed);
            store.engine.failure = e;
            store.health.report(StorageFailures.condition(e),
                    "serving reads of the last commit; the writer opens when space returns", e);
            return store;
        }
        try {
            store.checkpoint();
        } catch (IOException e) {
            if (!DiskSpace.isFull(e) || !DirectoryReader.indexExists(directory)) {
                store.close();
                throw e;
            }
            // checkpoint() marked the engine failed: reads are served, the writer reopens with space.
        }
        return store;
    }

    private WriterGeneration openGeneration() throws IOException {
        IndexWriterConfig config = (analyzer == null ? new IndexWriterConfig() : new IndexWriterConfig(analyzer))
                .setIndexDeletionPolicy(new KeepOnlyLastCommitDeletionPolicy())
                .setCodec(new ConiferCodec())
                .setRAMBufferSizeMB(options.ramBufferMb())
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                .setCommitOnClose(false)
                // Lucene otherwise makes commits and NRT reader opens wait up to 500 ms for small
                // merges; a backup's point-in-time export sits on the create-backup request.
                .setMaxFullFlushMergeWaitMillis(0)
                .setMergedSegmentWarmer(mergedSegmentWarmer);
        TieredMergePolicy merges = new TieredMergePolicy();
        merges.setMaxMergedSegmentMB(options.maxSegmentMb());
        config.setMergePolicy(new SettlingMergePolicy(merges, recentReads::readRecently));
        config.setMergeScheduler(new GovernedMergeScheduler(governor, MergeWorkers.SHARED, recentReads::readRecently, dir));
        IndexWriter writer = new IndexWriter(directory, config);
        WriteAheadLog wal = null;
        try {
            // Once the writer is open: a reopen that fails before leaves the state the served searcher shows.
            shape.reload(directory);
            long committed = committedSeq(directory);
            int[] replayed = {0};
            long replayStart = System.nanoTime();
            wal = WriteAheadLog.open(dir.resolve("wal"), committed, (seq, payload) -> {
                O op = shape.decode(payload);
                try {
                    shape.apply(writer, op);
                } catch (IllegalArgumentException ex) {
                    // Lucene refuses a term over 32766 bytes for what the document holds, whatever the index
                    // holds, so this op was refused the same way when it was written, and its request answered
                    // with that error (see logAndApplyCounted): skipping it replays what was acknowledged, where
                    // failing would keep the whole index from opening. Any other failure (a field indexed two
                    // ways after an upgrade, a bug of ours) still fails the open: the op may have been
                    // acknowledged, and the log keeps it for a fixed server.
                    if (!refusedByLucene(ex)) throw ex;
                    log.error("Write-ahead log record {} of {} was refused by Lucene when it was written and is skipped"
                            + " again: {}", seq, dir, ex.toString());
                    return;
                }
                replayed[0]++;
            });
            if (replayed[0] > 0) {
                log.info("Replayed {} write-ahead log records into {} in {} ms", replayed[0], dir,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - replayStart));
            }
            return new WriterGeneration(writer, wal, SequencedSearchers.open(writer, wal::checkpointable, searchExecutor()), committed);
        } catch (IOException | RuntimeException e) {
            rollbackQuietly(writer);
            if (wal != null) closeQuietly(wal);
            throw e;
        }
    }

    static long committedSeq(Directory directory) throws IOException {
        if (!DirectoryReader.indexExists(directory)) return 0;
        String v = SegmentInfos.readLatestCommit(directory).getUserData().get(WAL_SEQ);
        return v == null ? 0 : Long.parseLong(v);
    }

    /** Null when queries search their segments on the querying thread alone. */
    private Executor searchExecutor() {
        return options.parallelSearch() ? SearchExecutor.SHARED : null;
    }

    public StoreOptions options() {
        return options;
    }

    // ---------------------------------------------------------------- writes

    /**
     * Locks held while a write is logged and applied: the striped locks of the records it touches (with
     * the shared side of the barrier), or the exclusive side of the barrier for writes spanning a
     * namespace. Holding them across a read-modify-write makes it atomic.
     */
    public final class WriteLocks implements AutoCloseable {
        private final Lock lock;
        private final KeyLocks.Held keys;
        /** Ops logged and applied under these locks: the parts of one request written so far. */
        private int written;

        private WriteLocks(Lock lock, Collection<String> keyList) {
            this.lock = lock;
            lock.lock();
            KeyLocks.Held held;
            try {
                held = keyList.isEmpty() ? () -> {} : keyLocks.lock(keyList);
            } catch (RuntimeException e) {
                lock.unlock();
                throw e;
            }
            this.keys = held;
        }

        /**
         * Logs {@code op}, waits until it is durable, applies it and returns its log sequence number. If
         * it fails after earlier ops under these locks were written (a storage failure), they stay written,
         * and the error says so: the request can be repeated.
         */
        public long logAndApply(O op) {
            try {
                long seq = StorageEngine.this.logAndApply(op, this);
                written++;
                return seq;
            } catch (ConiferException e) {
                if (written == 0) throw e;
                throw new ConiferException(e.code(), e.getMessage() + " (this request was written in parts, and the first "
                        + written + " of them had been written before this failure and stay written; repeating the request"
                        + " is safe)", e);
            }
        }

        /**
         * Logs and applies every part {@code parts} reads, after a first walk over them has read (and so
         * checked) each one and kept none: a part its reader refuses refuses the request with nothing
         * written, and memory holds one part. {@code parts} must give the same parts each time (a
         * {@link PinnedSearcher}'s view). Returns the docs the parts took and the last part's LSN (the
         * applied one when there were none).
         */
        public PartsLogged logCheckedParts(Supplier<? extends MatchedParts<? extends O>> parts) {
            int docs = 0;
            MatchedParts<? extends O> checked = parts.get();
            for (MatchedParts.Part<? extends O> part = checked.next(); part != null; part = checked.next()) docs += part.docs();
            long lsn = appliedSeq();
            MatchedParts<? extends O> logged = parts.get();
            for (MatchedParts.Part<? extends O> part = logged.next(); part != null; part = logged.next()) lsn = logAndApply(part.value());
            return new PartsLogged(docs, lsn);
        }

        /**
         * The governor's admission of the next op under these locks. One request that writes in parts (an
         * update or delete by filter) may be refused only before its first part: the later ones wait for
         * the budget as long as it takes, so a refusal never leaves the request half written.
         */
        private boolean admitted() {
            return written == 0 ? governor.admit() : governor.admitLaterPart();
        }

        @Override
        public void close() {
            try {
                keys.close();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Locks the records with these keys (see {@link RecordFields#key}). */
    public WriteLocks lockKeys(Collection<String> keys) {
        return new WriteLocks(barrier.readLock(), keys);
    }

    /** Locks out every other write. */
    public WriteLocks lockAll() {
        return new WriteLocks(barrier.writeLock(), List.of());
    }

    /** Logs and applies one op touching the records with {@code keys}. */
    public long write(O op, Collection<String> keys) {
        try (WriteLocks held = lockKeys(keys)) {
            return held.logAndApply(op);
        }
    }

    /** Logs and applies one op that may touch any record of a namespace. */
    public long writeAll(O op) {
        try (WriteLocks held = lockAll()) {
            return held.logAndApply(op);
        }
    }

    /**
     * Logs and applies {@code declare}, the op that makes {@code namespace} exist before it holds records,
     * unless it exists already (counted 0 then: the caller answers that it does).
     */
    public Written createNamespace(String namespace, O declare) {
        try (WriteLocks held = lockAll()) {
            if (namespaceExists(namespace)) return new Written(0, appliedSeq());
            return new Written(1, held.logAndApply(declare));
        }
    }

    /**
     * Caller holds the locks that order this op against every op touching the same records. Returns
     * the op's log sequence number.
     */
    private long logAndApply(O op, WriteLocks held) {
        refreshes.writeStarted();
        try {
            return logAndApplyCounted(op, held);
        } finally {
            refreshes.writeEnded();
            settler.wrote();
        }
    }

    private long logAndApplyCounted(O op, WriteLocks held) {
        WriterGeneration e = engine;
        failIfWriterClosed(e);
        if (e.failure != null) throw StorageFailures.refusal(e.failure, "nothing was written");
        // Admitted before it is logged, so a write the governor refuses leaves nothing behind.
        boolean governed = held.admitted();
        long seq;
        try {
            seq = e.wal.append(shape.encode(op));
        } catch (IOException ex) {
            throw refused(e, ex);
        }
        try {
            e.wal.sync(seq);
        } catch (IOException ex) {
            e.wal.applied(seq);
            throw refused(e, ex);
        }
        try {
            try (KeyLocks.Held applier = governor.applying(governed)) {
                governor.charge(governed, apply(e.writer, op));
            }
        } catch (IOException | AlreadyClosedException ex) {
            // The record is durable but unapplied; the log keeps it for the reopened writer to replay.
            fail(e, ex);
            throw StorageFailures.refusal(ex, "this write is in the write-ahead log and takes effect when the index"
                    + " reopens its writer; retrying it is safe");
        } catch (RuntimeException ex) {
            // Refused (by Lucene: checks run before logging are meant to make that impossible). It stays in
            // the log, and replay skips a Lucene refusal the same way (see openGeneration); what it applied
            // before failing (earlier records of a batch) stays applied, here and after a replay alike.
            refreshes.writeApplied();
            e.wal.applied(seq);
            throw ex;
        }
        // Counted before it is marked applied: a read that sees this sequence as applied also sees the
        // version change, so it refreshes rather than keep a searcher without it.
        refreshes.writeApplied();
        e.wal.applied(seq);
        health.clear("writes are accepted again");
        return seq;
    }

    /** Lucene's refusal of an immense term: of the document alone, not of the state it met. */
    private static boolean refusedByLucene(IllegalArgumentException e) {
        return e.getCause() instanceof BytesRefHash.MaxBytesLengthExceededException;
    }

    /** Applies {@code op}, counting its CPU time towards the next checkpoint; returns that time. */
    private long apply(IndexWriter writer, O op) throws IOException {
        long started = applyClock();
        shape.apply(writer, op);
        long used = applyClock() - started;
        applyNanosSinceCheckpoint.add(used);
        return used;
    }

    /**
     * This thread's CPU time (wall time where the JVM cannot tell): writers outnumbering the cores wait
     * for them, and a one-thread replay would not, so their wall time would overstate it.
     */
    private static long applyClock() {
        return THREAD_CPU ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /**
     * CPU nanoseconds the write governor has charged to writes while reads were in flight, process-wide:
     * {applies, merges and background flushes} (see docs/ARCHITECTURE.md, "Read priority").
     */
    public static long[] governedWriteCpu() {
        return WriteGovernor.SHARED.charged();
    }

    /** The highest log sequence up to which every write is applied: what a write that changes nothing answers. */
    public long appliedSeq() {
        WriterGeneration e = engine;
        return e.wal == null ? e.committedSeq : e.wal.checkpointable();
    }

    /** Lucene closes a writer itself after a tragic event (a merge on a full disk, say): catch it before logging. */
    private void failIfWriterClosed(WriterGeneration e) {
        if (e.failure == null && !closed && !e.writer.isOpen()) {
            Throwable tragedy = e.writer.getTragicException();
            fail(e, tragedy != null ? tragedy : new IOException("The index writer was closed"));
        }
    }

    /** A write the log could not make durable: the log has cut it off again. */
    private ConiferException refused(WriterGeneration e, IOException cause) {
        if (e.wal.isBroken()) fail(e, cause);
        else health.report(StorageFailures.condition(cause), "refusing writes: " + cause.getMessage(), cause);
        return StorageFailures.refusal(cause, "nothing was written");
    }

    /**
     * Takes the engine out of service after a storage failure: its writer is rolled back (its
     * uncommitted state is in the log), writes are refused and reads use the searcher as last refreshed.
     */
    private void fail(WriterGeneration e, Throwable cause) {
        synchronized (e) {
            if (e.failure != null) return;
            e.failure = cause;
        }
        health.report(StorageFailures.condition(cause), "writes are refused and reads are served from the last"
                + " refreshed view until the writer reopens from the last commit and the write-ahead log (retried"
                + " automatically)", cause);
        if (e.writer != null) rollbackQuietly(e.writer);
    }

    // ---------------------------------------------------------------- maintenance

    /**
     * Every second, from the index manager: picks up merged segments for queries, checkpoints when
     * {@code checkpointNow} or when enough log has built up, and reopens a failed writer once possible.
     */
    public void maintain(boolean checkpointNow) {
        if (closed) return;
        WriterGeneration e = engine;
        failIfWriterClosed(e);
        if (e.failure != null) {
            recoverIfDue();
            return;
        }
        try {
            // Refreshing every second under writes flushes a small segment each time. Measured on the
            // quiet machine (docs/BENCHMARKS.md, "Upsert path"), that is cheaper for writers than
            // inserting into ever larger in-memory graphs: acknowledged upserts ran at 0.63 of raw
            // Lucene with it, 0.53 without; the merges fold the small segments in off the write path.
            try (KeyLocks.Held flushing = governor.background()) {
                e.searchers.maybeRefresh();
                if (settler.maintain(e.writer) || checkpointNow || checkpointDue()) checkpoint();
            }
        } catch (IOException | AlreadyClosedException ex) {
            // A close that ran meanwhile closed the searchers or the writer under this tick: not a failure.
            if (!closed) fail(e, ex);
            return;
        }
        if (health.active() && usable() >= SPACE_FREED) health.clear("disk space is available again; writes are accepted");
    }

    /** Why writes are refused, or null while they are accepted. */
    public String writesRefused() {
        Throwable f = engine.failure;
        if (f != null) return StorageFailures.condition(f) + ": writes are refused until the index reopens its writer";
        return health.active() ? "writes are being refused: " + health.condition() : null;
    }

    /**
     * Reopens a failed engine from the last commit and the log, at once when space was freed since the
     * last attempt, otherwise after a back-off that doubles up to 30 s (each attempt replays the log).
     */
    private void recoverIfDue() {
        long now = System.nanoTime();
        long usable = usable();
        if (now - nextRecoveryNanos < 0 && usable < usableAtLastRecovery + SPACE_FREED) return;
        recoveryDelayNanos = Math.min(MAX_RECOVERY_DELAY_NANOS, Math.max(1_000_000_000L, 2 * recoveryDelayNanos));
        nextRecoveryNanos = now + recoveryDelayNanos;
        usableAtLastRecovery = usable;
        try (WriteLocks exclusive = lockAll()) {
            synchronized (checkpointLock) {
                WriterGeneration old = engine;
                if (closed || old.failure == null) return;
                if (old.wal != null) closeQuietly(old.wal);
                WriterGeneration fresh;
                try {
                    fresh = openGeneration();
                } catch (IOException | RuntimeException ex) {
                    health.report(StorageFailures.condition(ex), "the writer could not be reopened yet (" + ex.getMessage()
                            + "); retrying when space is freed or in " + recoveryDelayNanos / 1_000_000_000L + " s", null);
                    return;
                }
                committedSeq = fresh.committedSeq;
                engine = fresh;
                refreshes.invalidate();
                closeQuietly(old.searchers);
            }
            try {
                checkpoint();
            } catch (IOException ex) {
                return; // checkpoint() failed the fresh engine; it is retried after the back-off
            }
            recoveryDelayNanos = 0;
            health.clear("writer reopened from the last commit and the write-ahead log; writes are accepted again");
        }
    }

    private long usable() {
        try {
            return DiskSpace.usable(dir);
        } catch (IOException e) {
            return 0;
        }
    }

    /** Releasing what a storage failure left behind can fail the same way; that failure is already reported. */
    private static void rollbackQuietly(IndexWriter writer) {
        try {
            writer.rollback();
        } catch (IOException | RuntimeException e) {
            log.debug("Rolling back a failed writer failed too", e);
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException | RuntimeException e) {
            log.debug("Closing {} failed", c, e);
        }
    }

    /**
     * Commits Lucene with the log position it covers and trims the log. Runs periodically and on
     * close; a crash between checkpoints loses nothing because the log holds every acknowledged write.
     * A failure takes the engine out of service (see {@link #fail}) and is rethrown.
     */
    public void checkpoint() throws IOException {
        synchronized (checkpointLock) {
            WriterGeneration e = engine;
            if (e.failure != null) return;
            try {
                long seq = e.wal.checkpointable();
                if (seq == committedSeq && !e.writer.hasUncommittedChanges() && DirectoryReader.indexExists(directory)) return;
                long covered = applyNanosSinceCheckpoint.sum();
                e.wal.roll();
                e.writer.setLiveCommitData(Map.of(WAL_SEQ, Long.toString(seq)).entrySet());
                e.writer.commit();
                committedSeq = seq;
                applyNanosSinceCheckpoint.add(-covered);
                e.wal.trim(seq);
            } catch (IOException | AlreadyClosedException ex) {
                fail(e, ex);
                throw ex instanceof IOException io ? io : new IOException(ex);
            }
        }
    }

    /**
     * Whether replaying the log after a crash would now take longer than the bound, or the log has
     * grown past its size bound. Replay redoes the same operations on one thread, in log order (so a
     * restarted index answers exactly as before, ties included), so the time the writes since the last
     * checkpoint spent being applied (CPU time, summed over writer threads) is what replaying them costs.
     */
    public boolean checkpointDue() {
        long maxReplayNanos = TimeUnit.MILLISECONDS.toNanos(options.maxReplayMillis());
        return (maxReplayNanos > 0 && applyNanosSinceCheckpoint.sum() > maxReplayNanos)
                || engine.wal.bytesSinceRoll() > options.checkpointLogBytes();
    }

    /**
     * Makes {@code target} a complete Lucene index holding every write acknowledged before this call
     * and none applied after it, without committing and without fsync: an NRT reader (which pins its
     * files for as long as it is open) is taken with all deletes written and {@link PointInTimeExport}
     * copies it. Costs one flush of the indexing buffer, whatever the index's size, and never waits for
     * a commit's fsyncs, a checkpoint or a merge. The caller makes the copy durable (or discards it).
     */
    public PointInTime exportTo(Path target) throws IOException {
        WriterGeneration e = engine;
        if (e.failure != null) throw StorageFailures.notExportable(e.failure);
        Files.createDirectories(target);
        DirectoryReader opened;
        try {
            opened = DirectoryReader.open(e.writer, true, true);
        } catch (IOException | AlreadyClosedException ex) {
            // Closed by close(): the index is being deleted.
            if (ex instanceof AlreadyClosedException && e.failure == null && e.writer.getTragicException() == null) throw ex;
            // The flush failed (a full disk): the writer may have lost what it buffered, so it is reopened.
            fail(e, ex);
            throw StorageFailures.notExportable(e.failure);
        }
        try (DirectoryReader reader = opened) {
            return PointInTimeExport.copy(reader, luceneDir, target, e.writerSession);
        }
    }

    // ---------------------------------------------------------------- reads

    /** A read of one searcher; its IOExceptions become the storage failure a client sees. */
    @FunctionalInterface
    public interface SearcherRead<T> {
        T apply(IndexSearcher searcher) throws IOException;
    }

    /**
     * Runs {@code body} on a searcher that sees every acknowledged write (refreshed first if needed) and
     * answers its result with the searcher's LSN: for reads by id and reads that decide a write.
     */
    public <T> Read<T> read(SearcherRead<T> body) {
        return read(body, true);
    }

    /**
     * Like {@link #read} for searches (query, list, stats), whose searcher may be up to the refresh
     * interval stale while writes are in progress ({@link RefreshPolicy}); the LSN says what it sees.
     */
    public <T> Read<T> search(SearcherRead<T> body) {
        return read(body, false);
    }

    /**
     * A searcher that sees every acknowledged write, kept until closed however many writes follow (see
     * {@link PinnedSearcher}). Taken under {@link #lockAll}, it is the state the holder's writes start from.
     */
    public PinnedSearcher pin() {
        try (KeyLocks.Held reading = governor.read(); KeyLocks.Held recent = recentReads.read()) {
            return new PinnedSearcher(acquire(true));
        } catch (IOException e) {
            throw StorageFailures.readFailure(e);
        }
    }

    private <T> Read<T> read(SearcherRead<T> body, boolean realtime) {
        try (KeyLocks.Held reading = governor.read(); KeyLocks.Held recent = recentReads.read()) {
            IndexSearcher s = acquire(realtime);
            try {
                return new Read<>(body.apply(s), SequencedSearchers.lsn(s));
            } finally {
                release(s);
            }
        } catch (IOException e) {
            throw StorageFailures.readFailure(e);
        }
    }

    /**
     * Whether a search started now would neither refresh the searcher (a flush, or a wait for writes to
     * pause) nor likely wait for the disk: the searcher holds every applied write, and its segments are
     * small enough ({@link #CACHEABLE_BYTES}) to stay in the page cache once read. A thread that must
     * not block (an event loop) runs a search only then. A write applied between this answer and the
     * search can still make that one search refresh first.
     */
    public boolean searchStaysInMemory() {
        WriterGeneration e = engine;
        if (e.failure == null && !refreshes.current()) return false;
        try {
            IndexSearcher s = e.searchers.acquire();
            try {
                return SequencedSearchers.bytes(s) <= CACHEABLE_BYTES;
            } finally {
                release(s);
            }
        } catch (IOException | AlreadyClosedException ex) {
            return false;
        }
    }

    /** The current searcher, refreshed first if the refresh policy says so; a failed engine's as last refreshed. */
    private IndexSearcher acquire(boolean realtime) throws IOException {
        WriterGeneration e = engine;
        if (e.failure == null) {
            try {
                refreshes.beforeRead(e.searchers, realtime);
            } catch (IOException | AlreadyClosedException ex) {
                fail(e, ex);
            }
        }
        while (true) {
            try {
                return e.searchers.acquire();
            } catch (AlreadyClosedException closed) {
                // A recovery replaced this engine and closed its searchers meanwhile: use the new ones.
                if (engine == e) throw closed;
                e = engine;
            }
        }
    }

    /** Releases a searcher of any engine, the current or one a recovery replaced meanwhile. */
    private static void release(IndexSearcher s) throws IOException {
        s.getIndexReader().decRef();
    }

    /** Lists ids in a namespace in bitwise order, {@code limit} at a time, after the page token. */
    public Read<ListPage> list(String namespace, String prefix, int limit, String afterId) {
        String ns = Limits.namespace(namespace);
        IdListing.checkLimit(limit);
        return search(s -> IdListing.page(s, ns, prefix, limit, afterId));
    }

    /** Live record counts per non-empty namespace, only of records matching {@code filter} unless it is null. */
    public Read<IndexStats> stats(Query filter) {
        return search(s -> NamespaceStats.stats(s, filter));
    }

    /** Every namespace that has records or was created explicitly, with its record count and schema, in bitwise order. */
    public Read<SortedMap<String, NamespaceInfo>> namespaces() {
        return read(NamespaceStats::namespaces);
    }

    public boolean namespaceExists(String namespace) {
        return namespaces().result().containsKey(Limits.namespace(namespace));
    }

    /** Live records in one namespace, 0 if it has none. */
    public long count(String namespace) {
        String ns = Limits.namespace(namespace);
        return read(s -> (long) s.count(RecordQueries.namespaceQuery(ns))).result();
    }

    /** Checkpoints and closes; every handle is closed even when the checkpoint fails, so deleted files free their space. */
    @Override
    public void close() throws IOException {
        try (WriteLocks exclusive = lockAll()) {
            closed = true;
            IOException failed = null;
            try {
                checkpoint();
            } catch (IOException e) {
                failed = e;
            }
            WriterGeneration e = engine;
            closeQuietly(e.searchers);
            if (e.writer != null) closeQuietly(e.writer);
            if (e.wal != null) closeQuietly(e.wal);
            closeQuietly(directory);
            if (failed != null) throw failed;
        }
    }

    /** Closes without a final checkpoint, as a crash would (the log still holds every write). */
    public void abandon() throws IOException {
        closed = true;
        WriterGeneration e = engine;
        e.searchers.close();
        if (e.writer != null) e.writer.rollback();
        if (e.wal != null) e.wal.close();
        directory.close();
    }
}
