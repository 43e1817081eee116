package io.conifer.vectors;

import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.files.DiskSpace;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KeepOnlyLastCommitDeletionPolicy;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StandardDirectoryReader;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Conifer index's records: a Lucene index plus a write-ahead log.
 *
 * <p>Invariants: a write returns only after its WAL record is fsynced and it is applied to the
 * {@link IndexWriter} (so it survives {@code kill -9} and a later read sees it). Writes to the same
 * record are serialised by {@link KeyLocks}; namespace-wide deletes take the exclusive side of
 * {@link #barrier} so the log order equals the apply order. {@link #checkpoint()} commits Lucene with
 * the WAL position it covers and trims the log. Reads refresh the near-real-time searcher only when a
 * write happened since the last refresh, so writes never pay for refreshes nobody needs.
 *
 * <p>Storage failures (a full disk above all): a write whose log record cannot be made durable is
 * refused and leaves nothing behind. If the writer itself fails (a flush, commit or refresh hits the
 * full disk, or Lucene closes it after a tragic event), the {@link Engine} is marked failed: writes are
 * refused, reads go on from the searcher as last refreshed, and {@link #maintain} reopens the writer
 * from the last commit and replays the log once the disk has room again. No restart is needed.
 */
public final class VectorStore implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(VectorStore.class);
    private static final String WAL_SEQ = "conifer.wal_seq";
    /** Free space that makes a failed writer worth reopening at once rather than after its back-off. */
    private static final long SPACE_FREED = 1 << 20;
    private static final long MAX_RECOVERY_DELAY_NANOS = 30_000_000_000L;

    private final Path dir;
    private final VectorSpace space;
    private final StoreOptions options;
    private final Directory directory;
    private volatile Engine engine;
    private final KeyLocks keyLocks = new KeyLocks();
    private final ReentrantReadWriteLock barrier = new ReentrantReadWriteLock();
    private final AtomicLong writeVersion = new AtomicLong();
    private final AtomicLong refreshedVersion = new AtomicLong();
    private final Object checkpointLock = new Object();
    private final Path luceneDir;
    private final ConditionLog health;
    private volatile long committedSeq;
    /** Time spent applying writes the last checkpoint does not cover: what a replay would redo. */
    private final LongAdder applyNanosSinceCheckpoint = new LongAdder();
    /** Set by close and abandon: maintenance that raced a delete or shutdown then leaves the store alone. */
    private volatile boolean closed;
    private long recoveryDelayNanos;
    private long nextRecoveryNanos;
    private long usableAtLastRecovery;

    /**
     * The parts a storage failure breaks and a recovery replaces: the writer, its log and its searchers.
     * Once {@link #failure} is set it stays set; writes are refused and the searchers are never refreshed.
     */
    private static final class Engine {
        final IndexWriter writer;
        final WriteAheadLog wal;
        final SearcherManager searchers;
        final long committedSeq;
        /**
         * Names this IndexWriter's lifetime. Lucene never reuses a file name within one writer, but a
         * writer reopened after a crash recreates names of files that were flushed and never committed.
         */
        final String writerSession = UUID.randomUUID().toString();
        volatile Throwable failure;

        Engine(IndexWriter writer, WriteAheadLog wal, SearcherManager searchers, long committedSeq) {
            this.writer = writer;
            this.wal = wal;
            this.searchers = searchers;
            this.committedSeq = committedSeq;
        }
    }

    private VectorStore(Path dir, VectorSpace space, StoreOptions options, Path luceneDir, Directory directory) {
        this.dir = dir;
        this.space = space;
        this.luceneDir = luceneDir;
        this.options = options;
        this.directory = directory;
        this.health = new ConditionLog(log, "Index storage " + dir);
    }

    /**
     * Opens (or creates) the store in {@code dir}, replaying any log records newer than the last commit.
     * An existing index whose disk is too full to open its writer is opened for reads of its last commit;
     * {@link #maintain} opens the writer when space returns.
     */
    public static VectorStore open(Path dir, VectorSpace space, StoreOptions options) throws IOException {
        Path luceneDir = dir.resolve("lucene");
        Files.createDirectories(luceneDir);
        Directory directory = FSDirectory.open(luceneDir);
        VectorStore store = new VectorStore(dir, space, options, luceneDir, directory);
        try {
            store.engine = store.openEngine();
            store.committedSeq = store.engine.committedSeq;
        } catch (IOException | RuntimeException e) {
            if (!DiskSpace.isFull(e) || !DirectoryReader.indexExists(directory)) {
                directory.close();
                throw e;
            }
            long committed = committedSeq(directory);
            store.engine = new Engine(null, null, SequencedSearchers.open(directory, committed), committed);
            store.engine.failure = e;
            store.health.report(condition(e), "serving reads of the last commit; the writer opens when space returns", e);
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

    private Engine openEngine() throws IOException {
        IndexWriterConfig config = new IndexWriterConfig()
                .setIndexDeletionPolicy(new KeepOnlyLastCommitDeletionPolicy())
                .setCodec(new ConiferCodec())
                .setRAMBufferSizeMB(options.ramBufferMb())
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                .setCommitOnClose(false)
                // Lucene otherwise makes commits and NRT reader opens wait up to 500 ms for small
                // merges; a backup's point-in-time export sits on the create-backup request.
                .setMaxFullFlushMergeWaitMillis(0);
        TieredMergePolicy merges = new TieredMergePolicy();
        merges.setMaxMergedSegmentMB(options.maxSegmentMb());
        config.setMergePolicy(merges);
        IndexWriter writer = new IndexWriter(directory, config);
        WriteAheadLog wal = null;
        try {
            long committed = committedSeq(directory);
            int[] replayed = {0};
            long replayStart = System.nanoTime();
            wal = WriteAheadLog.open(dir.resolve("wal"), committed, (seq, payload) -> {
                apply(writer, WriteOp.decode(payload), space);
                replayed[0]++;
            });
            if (replayed[0] > 0) {
                log.info("Replayed {} write-ahead log records into {} in {} ms", replayed[0], dir,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - replayStart));
            }
            return new Engine(writer, wal, SequencedSearchers.open(writer, wal::checkpointable), committed);
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

    public VectorSpace space() {
        return space;
    }

    // ---------------------------------------------------------------- writes

    public Written upsert(String namespace, List<VectorRecord> records) {
        String ns = Limits.newNamespace(namespace);
        Limits.count("vector", records.size(), Limits.MAX_UPSERT_VECTORS);
        List<VectorRecord> valid = new ArrayList<>(records.size());
        for (VectorRecord r : records) valid.add(Limits.record(r, space));
        List<String> keys = new ArrayList<>(valid.size());
        for (VectorRecord r : valid) keys.add(Documents.key(ns, r.id()));
        return new Written(valid.size(), write(new WriteOp.Upsert(ns, valid), keys, false));
    }

    /**
     * Replaces the values and/or sparse values of one record and merges {@code setMetadata} into its
     * metadata. Counts the records matched (0 when the id does not exist).
     */
    public Written update(String namespace, String id, float[] values, SparseVector sparse, Map<String, Object> setMetadata) {
        String ns = Limits.namespace(namespace);
        Limits.id(id);
        if (values != null && values.length == 0) values = null;
        sparse = Limits.sparse(sparse, "record '" + id + "'");
        if (values != null) {
            if (space.isSparse()) throw ConiferException.invalid("This is a sparse index: update sparseValues, not values");
            Limits.dense(values, space, "record '" + id + "'");
        }
        Map<String, Object> set = Metadata.normalise(setMetadata, id);
        String key = Documents.key(ns, id);
        Lock shared = barrier.readLock();
        shared.lock();
        try (KeyLocks.Held held = keyLocks.lock(List.of(key))) {
            VectorRecord current = fetch(ns, List.of(id)).result().get(id);
            if (current == null) return new Written(0, appliedSeq());
            VectorRecord merged = new VectorRecord(id,
                    values != null ? values : current.values(),
                    sparse != null ? sparse : current.sparse(),
                    set != null ? Metadata.merge(current.metadata(), set) : current.metadata());
            merged = Limits.record(merged, space);
            return new Written(1, logAndApply(new WriteOp.Upsert(ns, List.of(merged))));
        } finally {
            shared.unlock();
        }
    }

    public long deleteIds(String namespace, List<String> ids) {
        String ns = Limits.namespace(namespace);
        Limits.ids(ids, "id", Limits.MAX_DELETE_IDS);
        List<String> keys = new ArrayList<>(ids.size());
        for (String id : ids) keys.add(Documents.key(ns, id));
        return write(new WriteOp.DeleteIds(ns, List.copyOf(ids)), keys, false);
    }

    public long deleteByFilter(String namespace, Map<String, Object> filter) {
        String ns = Limits.namespace(namespace);
        if (filter == null || filter.isEmpty()) throw ConiferException.invalid("Delete by filter needs a non-empty filter");
        FilterQueries.toQuery(filter, space); // reject a bad filter before it reaches the log
        return write(new WriteOp.DeleteFilter(ns, filter), List.of(), true);
    }

    /** Deletes every record of a namespace and the namespace itself. */
    public long deleteNamespace(String namespace) {
        return write(new WriteOp.DeleteNamespace(Limits.namespace(namespace)), List.of(), true);
    }

    /** Deletes every record of a namespace, leaving an explicitly created namespace in place. */
    public long deleteAll(String namespace) {
        String ns = Limits.namespace(namespace);
        return write(new WriteOp.DeleteFilter(ns, Map.of()), List.of(), true);
    }

    /**
     * Creates an empty namespace with the metadata fields its schema declares filterable (null: no
     * schema); counts 0 if it already exists.
     */
    public Written createNamespace(String namespace, List<String> filterableFields) {
        String ns = Limits.newNamespace(namespace);
        if (ns.isEmpty()) throw ConiferException.invalid("Namespace name must not be empty or '__default__'");
        Lock exclusive = barrier.writeLock();
        exclusive.lock();
        try {
            if (namespaceExists(ns)) return new Written(0, appliedSeq());
            return new Written(1, logAndApply(new WriteOp.DeclareNamespace(ns, filterableFields)));
        } finally {
            exclusive.unlock();
        }
    }

    /**
     * Sets metadata on every record of a namespace matching {@code filter} and counts how many matched;
     * with {@code dryRun} only counts. Each chunk of records is logged as an upsert of the merged
     * records, so replay is idempotent like any other write.
     */
    public Written updateByFilter(String namespace, Map<String, Object> filter, Map<String, Object> setMetadata, boolean dryRun) {
        String ns = Limits.namespace(namespace);
        if (filter == null || filter.isEmpty()) throw ConiferException.invalid("Update by filter needs a non-empty filter");
        Query f = FilterQueries.toQuery(filter, space);
        Map<String, Object> set = Metadata.normalise(setMetadata, null);
        if (!dryRun && (set == null || set.isEmpty())) {
            throw ConiferException.invalid("Update by filter sets metadata only: send a non-empty setMetadata");
        }
        Lock exclusive = barrier.writeLock();
        exclusive.lock();
        try {
            IndexSearcher s = acquire();
            List<VectorRecord> matched;
            try {
                Query q = new BooleanQuery.Builder().add(namespaceQuery(ns), Occur.FILTER).add(f, Occur.FILTER).build();
                matched = new ArrayList<>(load(s, matchingDocs(s, q), true, true).values());
            } finally {
                release(s);
            }
            long lsn = appliedSeq();
            if (dryRun) return new Written(matched.size(), lsn);
            List<VectorRecord> merged = new ArrayList<>(matched.size());
            for (VectorRecord r : matched) {
                merged.add(Limits.record(new VectorRecord(r.id(), r.values(), r.sparse(), Metadata.merge(r.metadata(), set)), space));
            }
            for (int from = 0; from < merged.size(); from += Limits.MAX_UPSERT_VECTORS) {
                lsn = logAndApply(new WriteOp.Upsert(ns, merged.subList(from, Math.min(merged.size(), from + Limits.MAX_UPSERT_VECTORS))));
            }
            return new Written(matched.size(), lsn);
        } catch (IOException e) {
            throw storageFailure(e);
        } finally {
            exclusive.unlock();
        }
    }

    /** Records of a namespace matching a filter, in id order, a page at a time. */
    public record RecordPage(List<VectorRecord> records, boolean more) {}

    /** Records matching {@code filter} with ids after {@code afterId} (null: from the start), in id order. */
    public Read<RecordPage> fetchByMetadata(String namespace, Map<String, Object> filter, int limit, String afterId) {
        String ns = Limits.namespace(namespace);
        if (limit < 1 || limit > 10_000) throw ConiferException.invalid("limit is " + limit + "; it must be between 1 and 10000");
        Query f = FilterQueries.toQuery(filter, space);
        String after = afterId;
        try {
            IndexSearcher s = acquire();
            try {
                Query q = new BooleanQuery.Builder().add(namespaceQuery(ns), Occur.FILTER).add(f, Occur.FILTER).build();
                List<Integer> docs = matchingDocs(s, q);
                Map<Integer, VectorRecord> ids = load(s, docs, false, false);
                TreeMap<String, Integer> byId = new TreeMap<>(VectorStore::bitwise);
                ids.forEach((doc, r) -> {
                    if (after == null || bitwise(r.id(), after) > 0) byId.put(r.id(), doc);
                });
                List<Integer> page = new ArrayList<>();
                for (Integer doc : byId.values()) {
                    if (page.size() == limit) break;
                    page.add(doc);
                }
                Map<Integer, VectorRecord> loaded = load(s, page, true, true);
                List<VectorRecord> records = new ArrayList<>(page.size());
                for (Integer doc : page) records.add(loaded.get(doc));
                return new Read<>(new RecordPage(records, byId.size() > limit), SequencedSearchers.lsn(s));
            } finally {
                release(s);
            }
        } catch (IOException e) {
            throw storageFailure(e);
        }
    }

    private long write(WriteOp op, Collection<String> keys, boolean exclusive) {
        Lock lock = exclusive ? barrier.writeLock() : barrier.readLock();
        lock.lock();
        try (KeyLocks.Held held = keyLocks.lock(keys)) {
            return logAndApply(op);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Caller holds the locks that order this op against every op touching the same records. Returns
     * the op's log sequence number.
     */
    private long logAndApply(WriteOp op) {
        Engine e = engine;
        failIfWriterClosed(e);
        if (e.failure != null) throw refusal(e.failure, "nothing was written");
        long seq;
        try {
            seq = e.wal.append(WriteOp.encode(op));
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
            long started = System.nanoTime();
            apply(e.writer, op, space);
            applyNanosSinceCheckpoint.add(System.nanoTime() - started);
        } catch (IOException | AlreadyClosedException ex) {
            // The record is durable but unapplied; the log keeps it for the reopened writer to replay.
            fail(e, ex);
            throw refusal(ex, "this write is in the write-ahead log and takes effect when the index reopens its"
                    + " writer; retrying it is safe");
        } catch (RuntimeException ex) {
            writeVersion.incrementAndGet();
            e.wal.applied(seq);
            throw ex;
        }
        // Counted before it is marked applied: a read that sees this sequence as applied also sees the
        // version change, so it refreshes rather than keep a searcher without it.
        writeVersion.incrementAndGet();
        e.wal.applied(seq);
        health.clear("writes are accepted again");
        return seq;
    }

    /** The highest log sequence up to which every write is applied: what a write that changes nothing answers. */
    private long appliedSeq() {
        Engine e = engine;
        return e.wal == null ? e.committedSeq : e.wal.checkpointable();
    }

    /** Lucene closes a writer itself after a tragic event (a merge on a full disk, say): catch it before logging. */
    private void failIfWriterClosed(Engine e) {
        if (e.failure == null && !e.writer.isOpen()) {
            Throwable tragedy = e.writer.getTragicException();
            fail(e, tragedy != null ? tragedy : new IOException("The index writer was closed"));
        }
    }

    /** A write the log could not make durable: the log has cut it off again. */
    private ConiferException refused(Engine e, IOException cause) {
        if (e.wal.isBroken()) fail(e, cause);
        else health.report(condition(cause), "refusing writes: " + cause.getMessage(), cause);
        return refusal(cause, "nothing was written");
    }

    /** The retriable error a client gets for a write that storage could not take. */
    private static ConiferException refusal(Throwable cause, String outcome) {
        String why = DiskSpace.isFull(cause)
                ? "Not enough disk space to make this write durable"
                : "Storage failure (" + cause.getMessage() + ")";
        return new ConiferException(ErrorCode.UNAVAILABLE, why + "; " + outcome + ". Writes resume by themselves"
                + " once the server's disk has room again; reads are still served.", cause);
    }

    private static String condition(Throwable cause) {
        return DiskSpace.isFull(cause) ? "disk full" : "storage failure (" + cause.getClass().getSimpleName() + ")";
    }

    /**
     * Takes the engine out of service after a storage failure: its writer is rolled back (its
     * uncommitted state is in the log), writes are refused and reads use the searcher as last refreshed.
     */
    private void fail(Engine e, Throwable cause) {
        synchronized (e) {
            if (e.failure != null) return;
            e.failure = cause;
        }
        health.report(condition(cause), "writes are refused and reads are served from the last refreshed view"
                + " until the writer reopens from the last commit and the write-ahead log (retried automatically)", cause);
        if (e.writer != null) rollbackQuietly(e.writer);
    }

    /**
     * Every second, from the index manager: picks up merged segments for queries, checkpoints when
     * {@code checkpointNow} or when enough log has built up, and reopens a failed writer once possible.
     */
    public void maintain(boolean checkpointNow) {
        if (closed) return;
        Engine e = engine;
        failIfWriterClosed(e);
        if (e.failure != null) {
            recoverIfDue();
            return;
        }
        try {
            e.searchers.maybeRefresh();
            if (checkpointNow || checkpointDue()) checkpoint();
        } catch (IOException | AlreadyClosedException ex) {
            fail(e, ex);
            return;
        }
        if (health.active() && usable() >= SPACE_FREED) health.clear("disk space is available again; writes are accepted");
    }

    /** Why writes are refused, or null while they are accepted. */
    public String writesRefused() {
        Throwable f = engine.failure;
        if (f != null) return condition(f) + ": writes are refused until the index reopens its writer";
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
        Lock exclusive = barrier.writeLock();
        exclusive.lock();
        try {
            synchronized (checkpointLock) {
                Engine old = engine;
                if (closed || old.failure == null) return;
                if (old.wal != null) closeQuietly(old.wal);
                Engine fresh;
                try {
                    fresh = openEngine();
                } catch (IOException | RuntimeException ex) {
                    health.report(condition(ex), "the writer could not be reopened yet (" + ex.getMessage()
                            + "); retrying when space is freed or in " + recoveryDelayNanos / 1_000_000_000L + " s", null);
                    return;
                }
                committedSeq = fresh.committedSeq;
                engine = fresh;
                writeVersion.incrementAndGet();
                closeQuietly(old.searchers);
            }
            try {
                checkpoint();
            } catch (IOException ex) {
                return; // checkpoint() failed the fresh engine; it is retried after the back-off
            }
            recoveryDelayNanos = 0;
            health.clear("writer reopened from the last commit and the write-ahead log; writes are accepted again");
        } finally {
            exclusive.unlock();
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

    private static void apply(IndexWriter writer, WriteOp op, VectorSpace space) throws IOException {
        switch (op) {
            case WriteOp.Upsert u -> {
                for (VectorRecord r : u.records()) {
                    writer.updateDocument(Documents.keyTerm(u.namespace(), r.id()), Documents.toDocument(u.namespace(), r, space));
                }
            }
            case WriteOp.DeleteIds d -> {
                Term[] terms = new Term[d.ids().size()];
                for (int i = 0; i < terms.length; i++) terms[i] = Documents.keyTerm(d.namespace(), d.ids().get(i));
                writer.deleteDocuments(terms);
            }
            case WriteOp.DeleteFilter f -> writer.deleteDocuments(new BooleanQuery.Builder()
                    .add(namespaceQuery(f.namespace()), Occur.FILTER)
                    .add(FilterQueries.toQuery(f.filter(), space), Occur.FILTER)
                    .build());
            case WriteOp.DeleteNamespace n -> writer.deleteDocuments(new Term(Documents.NAMESPACE, n.namespace()),
                    new Term(Documents.DECLARED_NAMESPACE, n.namespace()));
            case WriteOp.DeclareNamespace n -> writer.updateDocument(new Term(Documents.DECLARED_NAMESPACE, n.namespace()),
                    Documents.namespaceMarker(n.namespace(), n.filterableFields()));
        }
    }

    /** A read that failed on storage (reads need no free space, so this is not a full disk). */
    private static ConiferException storageFailure(IOException e) {
        log.error("Storage failure", e);
        return new ConiferException(ErrorCode.UNKNOWN, "Storage failure: " + e.getMessage(), e);
    }

    /**
     * Commits Lucene with the log position it covers and trims the log. Runs periodically and on
     * close; a crash between checkpoints loses nothing because the log holds every acknowledged write.
     * A failure takes the engine out of service (see {@link #fail}) and is rethrown.
     */
    public void checkpoint() throws IOException {
        synchronized (checkpointLock) {
            Engine e = engine;
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
     * A point-in-time copy of the index made by {@link #exportTo}: its file names (a segments file
     * included) and what it holds.
     */
    public record PointInTime(List<String> files, SortedMap<String, Long> namespaces, long records, String writerSession) {}

    /**
     * Makes {@code target} a complete Lucene index holding every write acknowledged before this call
     * and none applied after it, without committing and without fsync: an NRT reader (which pins its
     * files for as long as it is open) is taken with all deletes written, its files are hard-linked
     * into {@code target} (copied across file systems), and a segments file of its own is written
     * there. Costs one flush of the indexing buffer, whatever the index's size, and never waits for a
     * commit's fsyncs, a checkpoint or a merge. The caller makes the copy durable (or discards it).
     */
    public PointInTime exportTo(Path target) throws IOException {
        Engine e = engine;
        if (e.failure != null) throw notExportable(e.failure);
        Files.createDirectories(target);
        DirectoryReader opened;
        try {
            opened = DirectoryReader.open(e.writer, true, true);
        } catch (IOException | AlreadyClosedException ex) {
            // Closed by close(): the index is being deleted.
            if (ex instanceof AlreadyClosedException && e.failure == null && e.writer.getTragicException() == null) throw ex;
            // The flush failed (a full disk): the writer may have lost what it buffered, so it is reopened.
            fail(e, ex);
            throw notExportable(e.failure);
        }
        try (DirectoryReader reader = opened) {
            SegmentInfos infos = ((StandardDirectoryReader) reader).getSegmentInfos().clone();
            List<String> files = new ArrayList<>();
            for (String name : infos.files(false)) {
                linkOrCopy(luceneDir.resolve(name), target.resolve(name));
                files.add(name);
            }
            // The copy's log position is the last checkpoint's; a restored index starts a log of its own.
            try (Directory out = new UnsyncedDirectory(FSDirectory.open(target))) {
                infos.commit(out);
                files.add(SegmentInfos.getLastCommitSegmentsFileName(out));
            }
            SortedMap<String, Long> namespaces = namespaceCounts(new IndexSearcher(reader));
            long records = 0;
            for (long n : namespaces.values()) records += n;
            return new PointInTime(List.copyOf(files), namespaces, records, e.writerSession);
        }
    }

    private static ConiferException notExportable(Throwable failure) {
        return new ConiferException(ErrorCode.UNAVAILABLE, "The index cannot be backed up while its writes are refused ("
                + condition(failure) + "); try again once the server's disk has room", failure);
    }

    private static void linkOrCopy(Path source, Path target) throws IOException {
        try {
            Files.createLink(target, source);
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(source, target);
        }
    }

    /** A point-in-time export is not durable by itself, so writing its segments file need not fsync. */
    private static final class UnsyncedDirectory extends FilterDirectory {
        UnsyncedDirectory(Directory in) {
            super(in);
        }

        @Override
        public void sync(Collection<String> names) {}

        @Override
        public void syncMetaData() {}
    }

    /**
     * Whether replaying the log after a crash would now take longer than the bound, or the log has
     * grown past its size bound. Replay redoes the same operations on one thread, in log order (so a
     * restarted index answers exactly as before, ties included), so the time the writes since the last
     * checkpoint spent being applied, summed over writer threads, is what replaying them costs.
     */
    boolean checkpointDue() {
        long maxReplayNanos = TimeUnit.MILLISECONDS.toNanos(options.maxReplayMillis());
        return (maxReplayNanos > 0 && applyNanosSinceCheckpoint.sum() > maxReplayNanos)
                || engine.wal.bytesSinceRoll() > options.checkpointLogBytes();
    }

    // ---------------------------------------------------------------- reads

    /** The current searcher, refreshed first if a write happened since; a failed engine's as last refreshed. */
    private IndexSearcher acquire() throws IOException {
        Engine e = engine;
        long v = writeVersion.get();
        if (e.failure == null && refreshedVersion.get() < v) {
            try {
                e.searchers.maybeRefreshBlocking();
                refreshedVersion.accumulateAndGet(v, Math::max);
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
    private static void release(IndexSearcher s) {
        try {
            s.getIndexReader().decRef();
        } catch (IOException e) {
            throw storageFailure(e);
        }
    }

    /** Fetches records by id; the map keeps the request's order and omits ids that do not exist. */
    public Read<Map<String, VectorRecord>> fetch(String namespace, List<String> ids) {
        String ns = Limits.namespace(namespace);
        Limits.ids(ids, "id", Limits.MAX_FETCH_IDS);
        try {
            IndexSearcher s = acquire();
            try {
                List<BytesRef> keys = new ArrayList<>(ids.size());
                for (String id : ids) keys.add(new BytesRef(Documents.key(ns, id)));
                List<Integer> docs = matchingDocs(s, new TermInSetQuery(Documents.KEY, keys));
                Map<Integer, VectorRecord> loaded = load(s, docs, true, true);
                Map<String, VectorRecord> byId = new HashMap<>();
                for (VectorRecord r : loaded.values()) byId.put(r.id(), r);
                Map<String, VectorRecord> out = new LinkedHashMap<>();
                for (String id : ids) {
                    VectorRecord r = byId.get(id);
                    if (r != null) out.put(id, r);
                }
                return new Read<>(out, SequencedSearchers.lsn(s));
            } finally {
                release(s);
            }
        } catch (IOException e) {
            throw storageFailure(e);
        }
    }

    public Read<List<ScoredRecord>> query(QuerySpec q) {
        String ns = Limits.namespace(q.namespace());
        Limits.topK(q.topK());
        Query filter = q.filter() == null || q.filter().isEmpty() ? null : FilterQueries.toQuery(q.filter(), space);
        int given = (q.vector() != null && q.vector().length > 0 ? 1 : 0) + (q.id() != null && !q.id().isEmpty() ? 1 : 0);
        SparseVector sparse = Limits.sparse(q.sparse(), "the query");
        if (given > 1) throw ConiferException.invalid("Query by either a vector or an id, not both");
        try {
            IndexSearcher s = acquire();
            try {
                float[] vector = q.vector() != null && q.vector().length > 0 ? q.vector() : null;
                if (q.id() != null && !q.id().isEmpty()) {
                    Limits.id(q.id());
                    List<Integer> docs = matchingDocs(s, new TermQuery(Documents.keyTerm(ns, q.id())));
                    if (docs.isEmpty()) return new Read<>(List.of(), SequencedSearchers.lsn(s));
                    VectorRecord source = load(s, docs, true, false).values().iterator().next();
                    vector = source.values();
                    if (space.isSparse()) sparse = source.sparse();
                }
                List<ScoreDoc> hits;
                if (space.isSparse()) {
                    if (vector != null) throw ConiferException.invalid("This is a sparse index: query with sparseVector, not vector");
                    if (sparse == null) throw ConiferException.invalid("A query on a sparse index needs a sparseVector or an id");
                    hits = sparseSearch(s, ns, filter, sparse, q.topK());
                } else {
                    if (vector == null) {
                        throw ConiferException.invalid("A query on a dense index needs a vector of dimension "
                                + space.dimension() + " or an id");
                    }
                    Limits.dense(vector, space, "the query");
                    if (sparse != null && space.metric() != Metric.DOTPRODUCT) {
                        throw ConiferException.invalid("Hybrid queries with sparseVector need an index with the dotproduct metric");
                    }
                    hits = denseSearch(s, ns, filter, vector, sparse, q.topK());
                }
                List<Integer> docs = new ArrayList<>(hits.size());
                for (ScoreDoc h : hits) docs.add(h.doc);
                Map<Integer, VectorRecord> loaded = load(s, docs, q.includeValues(), q.includeMetadata());
                List<ScoredRecord> out = new ArrayList<>(hits.size());
                for (ScoreDoc h : hits) {
                    VectorRecord r = loaded.get(h.doc);
                    out.add(new ScoredRecord(r.id(), h.score, r.values(), r.sparse(), r.metadata()));
                }
                return new Read<>(out, SequencedSearchers.lsn(s));
            } finally {
                release(s);
            }
        } catch (IOException e) {
            throw storageFailure(e);
        }
    }

    private List<ScoreDoc> denseSearch(IndexSearcher s, String ns, Query filter, float[] vector, SparseVector sparse, int topK)
            throws IOException {
        Query scope = scope(s, ns, filter);
        int k = Math.max(topK, options.efSearch());
        TopDocs top = s.search(new KnnFloatVectorQuery(Documents.VECTOR, vector, k, scope), k);
        List<ScoreDoc> hits = new ArrayList<>(top.scoreDocs.length);
        for (ScoreDoc sd : top.scoreDocs) hits.add(new ScoreDoc(sd.doc, space.metric().pineconeScore(sd.score)));
        if (sparse != null) {
            // Hybrid: add the exact sparse dot product to each dense candidate and re-rank.
            Map<Integer, VectorRecord> sparseOf = load(s, docsOf(hits), true, false);
            for (ScoreDoc h : hits) {
                SparseVector sv = sparseOf.get(h.doc).sparse();
                if (sv != null) h.score += sv.dot(sparse);
            }
            hits.sort((a, b) -> Float.compare(b.score, a.score));
        } else if (space.metric() == Metric.EUCLIDEAN) {
            hits.sort((a, b) -> Float.compare(a.score, b.score));
        }
        return hits.subList(0, Math.min(topK, hits.size()));
    }

    private static List<Integer> docsOf(List<ScoreDoc> hits) {
        List<Integer> docs = new ArrayList<>(hits.size());
        for (ScoreDoc h : hits) docs.add(h.doc);
        return docs;
    }

    /** Exact dot product over every record sharing a dimension with the query: sparse search is exhaustive. */
    private List<ScoreDoc> sparseSearch(IndexSearcher s, String ns, Query filter, SparseVector q, int topK) throws IOException {
        List<BytesRef> dims = new ArrayList<>(q.indices().length);
        for (int i : q.indices()) dims.add(new BytesRef(Integer.toUnsignedString(i)));
        BooleanQuery.Builder b = new BooleanQuery.Builder()
                .add(new TermInSetQuery(Documents.SPARSE_TERMS, dims), Occur.FILTER)
                .add(namespaceQuery(ns), Occur.FILTER);
        if (filter != null) b.add(filter, Occur.FILTER);
        Weight w = s.createWeight(s.rewrite(b.build()), ScoreMode.COMPLETE_NO_SCORES, 1f);
        PriorityQueue<ScoreDoc> best = new PriorityQueue<>((x, y) -> x.score != y.score
                ? Float.compare(x.score, y.score) : Integer.compare(y.doc, x.doc));
        for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
            Scorer scorer = w.scorer(leaf);
            if (scorer == null) continue;
            Bits live = leaf.reader().getLiveDocs();
            BinaryDocValues values = leaf.reader().getBinaryDocValues(Documents.SPARSE);
            DocIdSetIterator it = scorer.iterator();
            for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
                if (live != null && !live.get(doc)) continue;
                if (values == null || !values.advanceExact(doc)) continue;
                float score = Documents.decodeSparse(values.binaryValue()).dot(q);
                best.add(new ScoreDoc(leaf.docBase + doc, score));
                if (best.size() > topK) best.poll();
            }
        }
        List<ScoreDoc> hits = new ArrayList<>(best);
        hits.sort((x, y) -> x.score != y.score ? Float.compare(y.score, x.score) : Integer.compare(x.doc, y.doc));
        return hits;
    }

    /**
     * The query restricting a search to a namespace and filter, or null when it would match every
     * live record: building the filter's bit set costs a pass over the namespace, which the common
     * single-namespace index should not pay on every query.
     */
    private Query scope(IndexSearcher s, String ns, Query filter) throws IOException {
        Query nsQuery = namespaceQuery(ns);
        if (filter == null) return onlyNamespace(s.getIndexReader(), ns) ? null : nsQuery;
        return new BooleanQuery.Builder().add(nsQuery, Occur.FILTER).add(filter, Occur.FILTER).build();
    }

    /**
     * Whether every record in the index is in {@code ns}: true when each segment's namespace terms are
     * exactly {@code ns}. Costs a look at each segment's term dictionary, not a pass over its documents
     * (counting would, once a segment has deletions). Namespace markers carry no vector, so they do not
     * matter to a vector search.
     */
    private static boolean onlyNamespace(IndexReader reader, String ns) throws IOException {
        BytesRef target = new BytesRef(ns);
        for (LeafReaderContext leaf : reader.leaves()) {
            Terms terms = leaf.reader().terms(Documents.NAMESPACE);
            if (terms == null) continue;
            if (terms.size() != 1 || !target.equals(terms.getMin())) return false;
        }
        return true;
    }

    private static Query namespaceQuery(String ns) {
        return new TermQuery(new Term(Documents.NAMESPACE, ns));
    }

    private static List<Integer> matchingDocs(IndexSearcher s, Query q) throws IOException {
        Weight w = s.createWeight(s.rewrite(q), ScoreMode.COMPLETE_NO_SCORES, 1f);
        List<Integer> docs = new ArrayList<>();
        for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
            Scorer scorer = w.scorer(leaf);
            if (scorer == null) continue;
            Bits live = leaf.reader().getLiveDocs();
            DocIdSetIterator it = scorer.iterator();
            for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
                if (live == null || live.get(doc)) docs.add(leaf.docBase + doc);
            }
        }
        return docs;
    }

    /** Loads records for global doc ids, visiting each segment's doc values in increasing doc order. */
    private Map<Integer, VectorRecord> load(IndexSearcher s, List<Integer> docs, boolean values, boolean metadata)
            throws IOException {
        List<Integer> sorted = new ArrayList<>(docs);
        sorted.sort(null);
        List<LeafReaderContext> leaves = s.getIndexReader().leaves();
        Map<Integer, VectorRecord> out = new HashMap<>();
        int leafIndex = -1;
        LeafReader reader = null;
        StoredFields stored = null;
        FloatVectorValues dense = null;
        KnnVectorValues.DocIndexIterator denseIt = null;
        BinaryDocValues sparse = null;
        int docBase = 0;
        for (int global : sorted) {
            int li = ReaderUtil.subIndex(global, leaves);
            if (li != leafIndex) {
                leafIndex = li;
                LeafReaderContext ctx = leaves.get(li);
                reader = ctx.reader();
                docBase = ctx.docBase;
                stored = reader.storedFields();
                dense = values ? reader.getFloatVectorValues(Documents.VECTOR) : null;
                denseIt = dense == null ? null : dense.iterator();
                sparse = values ? reader.getBinaryDocValues(Documents.SPARSE) : null;
            }
            int doc = global - docBase;
            Document d = stored.document(doc);
            String id = d.get(Documents.ID);
            float[] vec = null;
            if (denseIt != null) {
                int at = denseIt.docID() < doc ? denseIt.advance(doc) : denseIt.docID();
                if (at == doc) vec = dense.vectorValue(denseIt.index()).clone();
            }
            SparseVector sv = null;
            if (sparse != null && sparse.advanceExact(doc)) sv = Documents.decodeSparse(sparse.binaryValue());
            Map<String, Object> meta = null;
            if (metadata) {
                BytesRef m = d.getBinaryValue(Documents.METADATA);
                meta = m == null ? null : Metadata.fromJson(m.bytes, m.offset, m.length);
            }
            out.put(global, new VectorRecord(id, vec, sv, meta));
        }
        return out;
    }

    /** Lists ids in a namespace in bitwise order, {@code limit} at a time, after the page token. */
    public Read<ListPage> list(String namespace, String prefix, int limit, String afterId) {
        String ns = Limits.namespace(namespace);
        if (limit < 1 || limit > 1000) throw ConiferException.invalid("limit is " + limit + "; it must be between 1 and 1000");
        String after = afterId;
        String start = Documents.keyPrefix(ns) + (prefix == null ? "" : prefix);
        String mustStartWith = start;
        if (after != null) {
            String afterKey = Documents.key(ns, after);
            if (afterKey.compareTo(start) >= 0) start = afterKey;
        }
        try {
            IndexSearcher s = acquire();
            try {
                TreeSet<BytesRef> found = new TreeSet<>();
                BytesRef from = new BytesRef(start);
                BytesRef required = new BytesRef(mustStartWith);
                BytesRef afterRef = after == null ? null : new BytesRef(Documents.key(ns, after));
                for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
                    Terms terms = leaf.reader().terms(Documents.KEY);
                    if (terms == null) continue;
                    TermsEnum te = terms.iterator();
                    if (te.seekCeil(from) == TermsEnum.SeekStatus.END) continue;
                    Bits live = leaf.reader().getLiveDocs();
                    PostingsEnum pe = null;
                    int taken = 0;
                    for (BytesRef t = te.term(); t != null && taken <= limit; t = te.next()) {
                        if (!startsWith(t, required)) break;
                        if (afterRef != null && t.compareTo(afterRef) <= 0) continue;
                        pe = te.postings(pe, PostingsEnum.NONE);
                        boolean alive = false;
                        for (int d = pe.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = pe.nextDoc()) {
                            if (live == null || live.get(d)) {
                                alive = true;
                                break;
                            }
                        }
                        if (alive) {
                            found.add(BytesRef.deepCopyOf(t));
                            taken++;
                        }
                    }
                }
                List<String> ids = new ArrayList<>(Math.min(limit, found.size()));
                int skip = Documents.keyPrefix(ns).getBytes(StandardCharsets.UTF_8).length;
                for (BytesRef t : found) {
                    if (ids.size() == limit) break;
                    ids.add(new String(t.bytes, t.offset + skip, t.length - skip, StandardCharsets.UTF_8));
                }
                return new Read<>(new ListPage(ids, found.size() > limit), SequencedSearchers.lsn(s));
            } finally {
                release(s);
            }
        } catch (IOException e) {
            throw storageFailure(e);
        }
    }

    private static boolean startsWith(BytesRef t, BytesRef prefix) {
        if (t.length < prefix.length) return false;
        return java.util.Arrays.equals(t.bytes, t.offset, t.offset + prefix.length,
                prefix.bytes, prefix.offset, prefix.offset + prefix.length);
    }

    /** Live record counts per non-empty namespace, optionally only of records matching {@code filter}. */
    public Read<IndexStats> stats(Map<String, Object> filter) {
        Query f = filter == null || filter.isEmpty() ? null : FilterQueries.toQuery(filter, space);
        try {
            IndexSearcher s = acquire();
            try {
                SortedMap<String, Long> counts = new TreeMap<>(VectorStore::bitwise);
                long total = 0;
                for (String ns : namespaceTerms(s.getIndexReader())) {
                    Query q = f == null ? namespaceQuery(ns)
                            : new BooleanQuery.Builder().add(namespaceQuery(ns), Occur.FILTER).add(f, Occur.FILTER).build();
                    long c = s.count(q);
                    if (c > 0) {
                        counts.put(ns, c);
                        total += c;
                    }
                }
                return new Read<>(new IndexStats(counts, total), SequencedSearchers.lsn(s));
            } finally {
                release(s);
            }
        } catch (IOException e) {
            throw storageFailure(e);
        }
    }

    /** Every namespace that has records or was created explicitly, with its record count and schema, in bitwise order. */
    public Read<SortedMap<String, NamespaceInfo>> namespaces() {
        try {
            IndexSearcher s = acquire();
            try {
                SortedMap<String, NamespaceInfo> out = new TreeMap<>(VectorStore::bitwise);
                namespaceCounts(s).forEach((ns, n) -> out.put(ns, new NamespaceInfo(n, null)));
                for (String ns : terms(s.getIndexReader(), Documents.DECLARED_NAMESPACE)) {
                    List<Integer> markers = matchingDocs(s, new TermQuery(new Term(Documents.DECLARED_NAMESPACE, ns)));
                    if (markers.isEmpty()) continue;
                    String[] fields = s.storedFields().document(markers.get(0)).getValues(Documents.NAMESPACE_SCHEMA);
                    if (fields.length > 0) out.put(ns, new NamespaceInfo(out.get(ns).records(), List.of(fields)));
                }
                return new Read<>(out, SequencedSearchers.lsn(s));
            } finally {
                release(s);
            }
        } catch (IOException e) {
            throw storageFailure(e);
        }
    }

    private static SortedMap<String, Long> namespaceCounts(IndexSearcher s) throws IOException {
        SortedMap<String, Long> out = new TreeMap<>(VectorStore::bitwise);
        for (String ns : namespaceTerms(s.getIndexReader())) {
            long c = s.count(namespaceQuery(ns));
            if (c > 0) out.put(ns, c);
        }
        for (String ns : terms(s.getIndexReader(), Documents.DECLARED_NAMESPACE)) {
            if (s.count(new TermQuery(new Term(Documents.DECLARED_NAMESPACE, ns))) > 0) out.putIfAbsent(ns, 0L);
        }
        return out;
    }

    public boolean namespaceExists(String namespace) {
        return namespaces().result().containsKey(Limits.namespace(namespace));
    }

    /** Live records in one namespace, 0 if it has none. */
    public long count(String namespace) {
        String ns = Limits.namespace(namespace);
        try {
            IndexSearcher s = acquire();
            try {
                return s.count(namespaceQuery(ns));
            } finally {
                release(s);
            }
        } catch (IOException e) {
            throw storageFailure(e);
        }
    }

    private static TreeSet<String> namespaceTerms(IndexReader reader) throws IOException {
        return terms(reader, Documents.NAMESPACE);
    }

    private static TreeSet<String> terms(IndexReader reader, String field) throws IOException {
        TreeSet<String> names = new TreeSet<>(VectorStore::bitwise);
        for (LeafReaderContext leaf : reader.leaves()) {
            Terms terms = leaf.reader().terms(field);
            if (terms == null) continue;
            TermsEnum te = terms.iterator();
            for (BytesRef t = te.next(); t != null; t = te.next()) names.add(t.utf8ToString());
        }
        return names;
    }

    /** Bitwise ("C" collation) order of the UTF-8 encodings, as Pinecone documents for listings. */
    public static int bitwise(String a, String b) {
        return new BytesRef(a).compareTo(new BytesRef(b));
    }

    /** Checkpoints and closes; every handle is closed even when the checkpoint fails, so deleted files free their space. */
    @Override
    public void close() throws IOException {
        Lock exclusive = barrier.writeLock();
        exclusive.lock();
        try {
            closed = true;
            IOException failed = null;
            try {
                checkpoint();
            } catch (IOException e) {
                failed = e;
            }
            Engine e = engine;
            closeQuietly(e.searchers);
            if (e.writer != null) closeQuietly(e.writer);
            if (e.wal != null) closeQuietly(e.wal);
            closeQuietly(directory);
            if (failed != null) throw failed;
        } finally {
            exclusive.unlock();
        }
    }

    /** Closes without a final checkpoint, as a crash would (the log still holds every write). */
    public void abandon() throws IOException {
        closed = true;
        Engine e = engine;
        e.searchers.close();
        if (e.writer != null) e.writer.rollback();
        if (e.wal != null) e.wal.close();
        directory.close();
    }

    /**
     * {@code maxReplayMillis}: checkpoint once the writes since the last one would take this long to
     * replay (0: no such bound).
     */
    public record StoreOptions(double ramBufferMb, double maxSegmentMb, int efSearch, long checkpointLogBytes,
            long maxReplayMillis) {
        public static StoreOptions defaults() {
            return new StoreOptions(64, 2048, 100, 256L * 1024 * 1024, 5_000);
        }

        public StoreOptions withMaxReplayMillis(long millis) {
            return new StoreOptions(ramBufferMb, maxSegmentMb, efSearch, checkpointLogBytes, millis);
        }
    }
}
