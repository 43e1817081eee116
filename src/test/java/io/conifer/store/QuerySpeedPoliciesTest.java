package io.conifer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.conifer.Await;
import io.conifer.vectors.Metric;
import io.conifer.vectors.QuerySpec;
import io.conifer.vectors.Read;
import io.conifer.vectors.ScoredRecord;
import io.conifer.vectors.VectorRecord;
import io.conifer.vectors.VectorSpace;
import io.conifer.vectors.VectorStore;
import io.conifer.vectors.VectorType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.index.MergeScheduler;
import org.apache.lucene.index.MergeTrigger;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.index.SerialMergeScheduler;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ReferenceManager;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's query-speed policies on a real store: an idle index settles to few segments without
 * rewriting its big segment after a small change (incremental backups stay small), queries see a
 * write within the refresh bound while other writes keep coming, fetches see their own writes at
 * once, a query never waits for a refresh while writes keep coming (it hands it to a background
 * thread), the settle merge builds its graph with the merge helpers, writes leave few small segments beside the big one, and searching segments in parallel answers what searching them one by one does.
 */
class QuerySpeedPoliciesTest {
    private static final int DIM = 32;
    private static final VectorSpace SPACE = new VectorSpace(VectorType.DENSE, DIM, Metric.COSINE, null);
    /** Settles 100 ms after the last write, so tests poll briefly. */
    private static final StoreOptions SETTLING = StoreOptions.defaults().withSettleDelayMillis(100);
    /** Never settles within a test: segments stay as the checkpoints made them. */
    private static final StoreOptions UNSETTLED = StoreOptions.defaults().withSettleDelayMillis(3_600_000);

    private static float[] vector(SplittableRandom random) {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) v[d] = (float) random.nextGaussian();
        return v;
    }

    /** Upserts {@code count} records from {@code first} in batches, each batch checkpointed into its own segment. */
    private static void load(VectorStore store, int first, int count, int batches, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        int per = count / batches;
        for (int b = 0; b < batches; b++) {
            List<VectorRecord> records = new ArrayList<>();
            for (int i = first + b * per; i < first + (b + 1) * per; i++) records.add(new VectorRecord("r" + i, vector(random), null, null));
            store.upsert("", records);
            store.checkpoint();
        }
    }

    /** Segment names of the last commit, by {@code _N} name. */
    private static Set<String> committedSegments(Path dir) throws IOException {
        try (Directory d = FSDirectory.open(dir.resolve("lucene")); DirectoryReader r = DirectoryReader.open(d)) {
            Set<String> names = new HashSet<>();
            for (LeafReaderContext leaf : r.leaves()) names.add(((SegmentReader) leaf.reader()).getSegmentName());
            return names;
        }
    }

    /** Runs maintenance as the index manager does until the last commit has at most {@code segments}. */
    private static void settle(VectorStore store, Path dir, int segments) throws InterruptedException {
        Await.until("at most " + segments + " segments after the writes stopped", () -> {
            store.maintain(false);
            try {
                return committedSegments(dir).size() <= segments;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    private static long bytes(Path dir, List<String> files) throws IOException {
        long total = 0;
        for (String f : files) total += Files.size(dir.resolve(f));
        return total;
    }

    @Test
    void anIdleIndexSettlesToOneSegmentAndASmallChangeDoesNotRewriteIt(@TempDir Path dir) throws Exception {
        try (VectorStore store = VectorStore.open(dir, SPACE, SETTLING)) {
            load(store, 0, 4200, 6, 1);
            assertTrue(committedSegments(dir).size() >= 6, "each checkpointed batch is a segment: " + committedSegments(dir));

            settle(store, dir, 1);
            Set<String> big = committedSegments(dir);
            PointInTime full = store.exportTo(dir.resolve("export-1"));
            assertEquals(4200, full.records());

            // A 1% change in two flushes: two small segments, which settle among themselves.
            load(store, 0, 42, 2, 2);
            settle(store, dir, 2);
            Set<String> after = committedSegments(dir);
            assertTrue(after.containsAll(big), "the big segment " + big + " is kept, not rewritten: " + after);
            PointInTime incremental = store.exportTo(dir.resolve("export-2"));
            List<String> changed = new ArrayList<>(incremental.files());
            changed.removeAll(full.files());
            double share = (double) bytes(dir.resolve("export-2"), changed) / bytes(dir.resolve("export-1"), full.files());
            assertTrue(share <= 0.05, "an incremental backup after a 1% change copies " + share + " of a full one: " + changed);
            assertEquals(4200, store.stats(null).result().total());
        }
    }

    @Test
    void theSettleMergeBuildsItsGraphWithTheMergeHelpersAndFindsEveryRecord(@TempDir Path dir) throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() > 1, "merge helpers need a second core");
        long helped = MergeWorkers.SHARED.helped();
        try (VectorStore store = VectorStore.open(dir, SPACE, SETTLING)) {
            load(store, 0, 4200, 6, 8);
            settle(store, dir, 1);
            assertTrue(MergeWorkers.SHARED.helped() > helped, "the settle merge ran graph workers on a helper thread");
            // HNSW is approximate and the helpers make the graph differ from run to run, so a rare miss is
            // allowed; a graph missing a worker's share of its links misses far more.
            SplittableRandom random = new SplittableRandom(8);
            List<String> missed = new ArrayList<>();
            for (int i = 0; i < 4200; i++) {
                float[] v = vector(random);
                if (i % 20 != 0) continue;
                List<ScoredRecord> top = store.query(new QuerySpec("", 1, v, null, null, null, false, false)).result();
                if (!top.get(0).id().equals("r" + i)) missed.add("r" + i);
            }
            assertTrue(missed.size() <= 2, "the merged graph finds records by their own vectors; of 210 it missed " + missed);
        }
    }

    @Test
    void aQuerySeesAWriteWithinTheRefreshBoundWhileOtherWritesKeepComing(@TempDir Path dir) throws Exception {
        try (VectorStore store = VectorStore.open(dir, SPACE, UNSETTLED)) {
            load(store, 0, 500, 1, 3);
            try (Writers busy = new Writers(store)) {
                float[] marker = vector(new SplittableRandom(99));
                long lsn = store.upsert("", List.of(new VectorRecord("marker", marker, null, null))).requestLsn();
                QuerySpec q = new QuerySpec("", 1, marker, null, null, null, false, false);
                AtomicReference<Read<List<ScoredRecord>>> last = new AtomicReference<>();
                Await.until("a query's LSN reaches the marker's", () -> {
                    last.set(store.query(q));
                    return last.get().maxIndexedLsn() >= lsn;
                });
                assertEquals("marker", last.get().result().get(0).id(), "a read at or past the marker's LSN finds it");
                busy.check();
            }
        }
    }

    @Test
    void aFetchSeesItsOwnWriteAtOnceWhileOtherWritesKeepComing(@TempDir Path dir) throws Exception {
        // Queries may lag an hour behind writes here; fetches must not lag at all.
        StoreOptions lagging = new StoreOptions(64, 2048, 100, 256L * 1024 * 1024, 5_000, 3_600_000, 3_600_000, true);
        try (VectorStore store = VectorStore.open(dir, SPACE, lagging)) {
            load(store, 0, 200, 1, 4);
            try (Writers busy = new Writers(store)) {
                SplittableRandom random = new SplittableRandom(5);
                for (int i = 0; i < 100; i++) {
                    String id = "own-" + i;
                    store.upsert("", List.of(new VectorRecord(id, vector(random), null, null)));
                    assertTrue(store.fetch("", List.of(id)).result().containsKey(id), "fetch " + i + " sees its own write");
                }
                busy.check();
            }
        }
    }

    @Test
    void aQueryBetweenWritesDoesNotWaitForARefreshAnotherThreadRuns(@TempDir Path dir) throws Exception {
        // The quiet window is an hour: only a write that starts, never the clock, ends a query's wait.
        RefreshPolicy policy = new RefreshPolicy(3_600_000, TimeUnit.HOURS.toNanos(1), WriteGovernor.SHARED);
        CountDownLatch refreshing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Directory d = FSDirectory.open(dir); IndexWriter writer = new IndexWriter(d, new IndexWriterConfig())) {
            SearcherManager searchers = new SearcherManager(writer, null);
            hangRefreshes(searchers, refreshing::countDown, release);
            write(policy, writer, "a");
            // A fetch refreshes for the write, and that refresh hangs.
            CompletableFuture<Void> fetch = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> complete(fetch, () -> read(policy, searchers, true)));
            refreshing.await();
            // A query arrives after the write ended, then the next write of the stream starts.
            CompletableFuture<Void> queried = new CompletableFuture<>();
            Thread query = Thread.ofPlatform().start(() -> complete(queried, () -> read(policy, searchers, false)));
            Await.until("the query waits out the quiet window", () -> query.getState() == Thread.State.TIMED_WAITING);
            policy.writeStarted();
            queried.get(30, TimeUnit.SECONDS);
            assertEquals(0, visible(searchers), "the query used the current searcher: the hung refresh has not finished");
            release.countDown();
            fetch.get(30, TimeUnit.SECONDS);
            assertEquals(1, visible(searchers), "the fetch's refresh went through");
            searchers.close();
        }
    }

    @Test
    void aSearchStaysInMemoryOnlyWhileItsSearcherHoldsEveryAppliedWrite(@TempDir Path dir) throws Exception {
        try (VectorStore store = VectorStore.open(dir, SPACE, UNSETTLED)) {
            SplittableRandom random = new SplittableRandom(5);
            store.upsert("", List.of(new VectorRecord("a", vector(random), null, null)));
            assertFalse(store.searchStaysInMemory(), "a query now would refresh first");
            store.query(new QuerySpec("", 1, vector(random), null, "", null, false, false));
            assertTrue(store.searchStaysInMemory(), "the query's refresh brought the searcher up to date");
            store.upsert("", List.of(new VectorRecord("b", vector(random), null, null)));
            assertFalse(store.searchStaysInMemory());
            store.fetch("", List.of("b"));
            assertTrue(store.searchStaysInMemory(), "the fetch's refresh brought the searcher up to date");
        }
    }

    @Test
    void aQueryRightAfterAWriteOnAnIdleIndexSeesIt(@TempDir Path dir) throws Exception {
        RefreshPolicy policy = new RefreshPolicy(3_600_000, WriteGovernor.SHARED);
        try (Directory d = FSDirectory.open(dir); IndexWriter writer = new IndexWriter(d, new IndexWriterConfig());
                SearcherManager searchers = new SearcherManager(writer, null)) {
            for (int i = 0; i < 3; i++) {
                write(policy, writer, "r" + i);
                read(policy, searchers, false);
                assertEquals(i + 1, visible(searchers), "write " + i);
            }
        }
    }

    @Test
    void aGapBetweenConcurrentWritersIsNotTakenForTheEndOfTheirWrites(@TempDir Path dir) throws Exception {
        // A lone client's window is 0: only the stream window (an hour) can hold a query back.
        RefreshPolicy policy = new RefreshPolicy(3_600_000, 0, TimeUnit.HOURS.toNanos(1), WriteGovernor.SHARED);
        try (Directory d = FSDirectory.open(dir); IndexWriter writer = new IndexWriter(d, new IndexWriterConfig());
                SearcherManager searchers = new SearcherManager(writer, null)) {
            // Clients writing as fast as they can: every write starts while another is in progress.
            // Then all of them are between requests at once.
            overlappingWrites(policy, writer, RefreshPolicy.RECENT_WRITES * 2);
            CompletableFuture<Void> queried = new CompletableFuture<>();
            Thread query = Thread.ofPlatform().start(() -> complete(queried, () -> read(policy, searchers, false)));
            Await.until("the query waits out the stream's quiet window", () -> query.getState() == Thread.State.TIMED_WAITING);
            policy.writeStarted();
            queried.get(30, TimeUnit.SECONDS);
            assertEquals(0, visible(searchers), "the next write came: the query used the current searcher, no flush");
            policy.writeEnded();
        }
    }

    @Test
    void writersThatOnlySometimesOverlapKeepTheShortQuietWindow(@TempDir Path dir) throws Exception {
        // The stream window is an hour: a query held to it would not return within the test's bound.
        RefreshPolicy policy = new RefreshPolicy(3_600_000, 0, TimeUnit.HOURS.toNanos(1), WriteGovernor.SHARED);
        try (Directory d = FSDirectory.open(dir); IndexWriter writer = new IndexWriter(d, new IndexWriterConfig());
                SearcherManager searchers = new SearcherManager(writer, null)) {
            // Paced clients: one write in five overlaps another.
            for (int i = 0; i < RefreshPolicy.RECENT_WRITES; i++) {
                write(policy, writer, "lone" + i);
                write(policy, writer, "lone" + i + "b");
                write(policy, writer, "lone" + i + "c");
                overlappingWrites(policy, writer, 1);
            }
            CompletableFuture<Void> queried = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> complete(queried, () -> read(policy, searchers, false)));
            queried.get(30, TimeUnit.SECONDS);
            assertEquals(RefreshPolicy.RECENT_WRITES * 5, visible(searchers), "the query saw every write at once");
        }
    }

    /** {@code n} writes, each started while another is in progress: {@code n + 1} documents. */
    private static void overlappingWrites(RefreshPolicy policy, IndexWriter writer, int n) throws IOException {
        policy.writeStarted();
        for (int i = 0; i < n; i++) write(policy, writer, "overlapped" + i);
        writer.addDocument(new Document());
        policy.writeApplied();
        policy.writeEnded();
    }

    @Test
    void aQueryAfterWritesFromConcurrentClientsEndSeesEveryOne(@TempDir Path dir) throws Exception {
        RefreshPolicy policy = new RefreshPolicy(3_600_000, WriteGovernor.SHARED);
        try (Directory d = FSDirectory.open(dir); IndexWriter writer = new IndexWriter(d, new IndexWriterConfig());
                SearcherManager searchers = new SearcherManager(writer, null)) {
            overlappingWrites(policy, writer, RefreshPolicy.RECENT_WRITES * 2);
            read(policy, searchers, false);
            assertEquals(RefreshPolicy.RECENT_WRITES * 2 + 1, visible(searchers), "once no write followed within the window, the query refreshed");
        }
    }

    /** Every refresh of {@code searchers} runs {@code started}, then hangs until {@code release}. */
    private static void hangRefreshes(SearcherManager searchers, Runnable started, CountDownLatch release) {
        searchers.addListener(new ReferenceManager.RefreshListener() {
            @Override
            public void beforeRefresh() {
                started.run();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void afterRefresh(boolean didRefresh) {}
        });
    }

    private static void write(RefreshPolicy policy, IndexWriter writer, String id) throws IOException {
        policy.writeStarted();
        Document doc = new Document();
        doc.add(new StringField("id", id, StringField.Store.NO));
        writer.addDocument(doc);
        policy.writeApplied();
        policy.writeEnded();
    }

    private static void read(RefreshPolicy policy, SearcherManager searchers, boolean realtime) {
        try {
            policy.beforeRead(searchers, realtime);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void complete(CompletableFuture<Void> done, Runnable body) {
        try {
            body.run();
            done.complete(null);
        } catch (Throwable e) {
            done.completeExceptionally(e);
        }
    }

    private static int visible(SearcherManager searchers) throws IOException {
        IndexSearcher s = searchers.acquire();
        try {
            return s.getIndexReader().numDocs();
        } finally {
            searchers.release(s);
        }
    }

    @Test
    void aQueryUnderWritesHandsItsRefreshToTheBackgroundAndDoesNotWaitForIt(@TempDir Path dir) throws Exception {
        // Interval 0: every query under writes finds the searcher stale.
        RefreshPolicy policy = new RefreshPolicy(0, TimeUnit.HOURS.toNanos(1), WriteGovernor.SHARED);
        AtomicReference<String> refreshedOn = new AtomicReference<>();
        CountDownLatch release = new CountDownLatch(1);
        try (Directory d = FSDirectory.open(dir); IndexWriter writer = new IndexWriter(d, new IndexWriterConfig());
                SearcherManager searchers = new SearcherManager(writer, null)) {
            hangRefreshes(searchers, () -> refreshedOn.compareAndSet(null, Thread.currentThread().getName()), release);
            try {
                // A write is in progress (started, applied, not ended): the index is not write-idle.
                policy.writeStarted();
                writer.addDocument(new Document());
                policy.writeApplied();
                // On another thread, so a query that waited for the hung refresh fails the test, not hangs it.
                CompletableFuture<Void> queried = new CompletableFuture<>();
                Thread.ofPlatform().start(() -> complete(queried, () -> {
                    read(policy, searchers, false);
                    read(policy, searchers, false);
                }));
                queried.get(30, TimeUnit.SECONDS);
                assertEquals(0, visible(searchers), "the queries returned with the current searcher while the refresh hangs");
                Await.until("a refresh started", () -> refreshedOn.get() != null);
                assertEquals("conifer-refresh", refreshedOn.get(), "the refresh runs on the background thread, not the query's");
            } finally {
                release.countDown();
            }
            Await.until("the background refresh shows the write", () -> {
                try {
                    return visible(searchers) == 1;
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            policy.writeEnded();
        }
    }

    @Test
    void anIndexCountsAsReadWhileAReadIsInFlightAndForAMomentAfter() {
        RecentReads reads = new RecentReads();
        assertFalse(reads.readRecently(), "no read yet");
        try (KeyLocks.Held reading = reads.read()) {
            assertTrue(reads.readRecently(), "a read in flight");
        }
        assertTrue(reads.readRecently(), "a read that just ended");
    }

    @Test
    void writesLeaveAtMostAFewSmallSegmentsBesideTheBigOne(@TempDir Path dir) throws Exception {
        IndexWriterConfig config = new IndexWriterConfig().setMergePolicy(new SettlingMergePolicy(new TieredMergePolicy(), () -> true))
                .setMergeScheduler(new SerialMergeScheduler());
        SplittableRandom random = new SplittableRandom(12);
        try (Directory d = FSDirectory.open(dir); IndexWriter writer = new IndexWriter(d, config)) {
            for (int i = 0; i < 5000; i++) writer.addDocument(randomDocument(random));
            writer.commit();
            String big;
            try (DirectoryReader r = DirectoryReader.open(writer)) {
                big = ((SegmentReader) r.leaves().get(0).reader()).getSegmentName();
            }
            int most = 0;
            // 40 refreshes under writes, each flushing a small segment (together 16% of the big one).
            for (int flush = 0; flush < 40; flush++) {
                for (int i = 0; i < 20; i++) writer.addDocument(randomDocument(random));
                try (DirectoryReader r = DirectoryReader.open(writer)) {
                    List<String> names = r.leaves().stream().map(l -> ((SegmentReader) l.reader()).getSegmentName()).toList();
                    assertTrue(names.contains(big), "the big segment " + big + " is not rewritten: " + names);
                    most = Math.max(most, names.size());
                }
            }
            // Searched at most: the big segment, the merged changes once they are 5x the newer ones (kept
            // like the big one, so not rewritten per flush), the allowed small ones, and the flush that
            // triggers the next merge (a reader opens before the merge it triggers). Tiered merging
            // alone leaves up to 10 small segments.
            assertTrue(most <= SettlingMergePolicy.MAX_UNSETTLED + 3, "at most " + most + " segments searched");
            assertEquals(5800, writer.getDocStats().numDocs);
        }
    }

    @Test
    void writesNobodyReadsLeaveTheirSegmentsToTheSettleMergeWithinABound(@TempDir Path dir) throws Exception {
        AtomicBoolean read = new AtomicBoolean();
        // As the store's writer: no merges of small segments at refresh (Lucene's merge-on-refresh).
        IndexWriterConfig config = new IndexWriterConfig().setMergePolicy(new SettlingMergePolicy(new TieredMergePolicy(), read::get))
                .setMergeScheduler(new SerialMergeScheduler()).setMaxFullFlushMergeWaitMillis(0);
        SplittableRandom random = new SplittableRandom(13);
        try (Directory d = FSDirectory.open(dir); IndexWriter writer = new IndexWriter(d, config)) {
            int most = 0;
            for (int flush = 1; flush <= SettlingMergePolicy.MAX_UNREAD_SEGMENTS + 30; flush++) {
                int segments = flushSmallSegment(writer, random);
                if (flush <= SettlingMergePolicy.MAX_UNREAD_SEGMENTS) assertEquals(flush, segments, "no merge while nobody reads");
                most = Math.max(most, segments);
            }
            assertTrue(most <= SettlingMergePolicy.MAX_UNREAD_SEGMENTS + 1, "tiered merging bounds an unread stream: " + most);
            // Queries start: the next flush merges the small segments among themselves (a reader opens before the merge it triggers).
            read.set(true);
            flushSmallSegment(writer, random);
            int searched = flushSmallSegment(writer, random);
            assertTrue(searched <= SettlingMergePolicy.MAX_UNSETTLED + 3, "merged once read: " + searched + " segments");
            read.set(false);
            for (int flush = 0; flush < 10; flush++) flushSmallSegment(writer, random);
            // The settle merge (explicit, as the Settler asks each round), read or not.
            for (int round = 0; round < 3; round++) writer.maybeMerge();
            try (DirectoryReader r = DirectoryReader.open(writer)) {
                assertTrue(r.leaves().size() <= 2, "settled: the unread segments merged, " + r.leaves().size() + " left");
            }
            assertEquals(5 * (SettlingMergePolicy.MAX_UNREAD_SEGMENTS + 42), writer.getDocStats().numDocs);
        }
    }

    @Test
    void theSettleMergeJoinsABulkLoadsSegmentsInOneMerge(@TempDir Path dir) throws Exception {
        MergesCounted merges = new MergesCounted();
        IndexWriterConfig config = new IndexWriterConfig().setMergePolicy(new SettlingMergePolicy(new TieredMergePolicy(), () -> false))
                .setMergeScheduler(merges).setMaxFullFlushMergeWaitMillis(0);
        SplittableRandom random = new SplittableRandom(21);
        try (Directory d = FSDirectory.open(dir); IndexWriter writer = new IndexWriter(d, config)) {
            // More segments than tiered merging joins at once (10), all of one size, as a bulk load flushes them.
            for (int flush = 1; flush <= 25; flush++) assertEquals(flush, flushSmallSegment(writer, random));
            assertEquals(0, merges.count, "no merge while nobody reads");

            writer.maybeMerge();
            assertEquals(1, merges.count, "one settle merge, each graph joined once");
            try (DirectoryReader r = DirectoryReader.open(writer)) {
                assertEquals(1, r.leaves().size(), "settled to one segment");
            }
            assertEquals(125, writer.getDocStats().numDocs);
        }
    }

    /** Runs each merge on the calling thread, as SerialMergeScheduler does, and counts them. */
    private static final class MergesCounted extends MergeScheduler {
        int count;

        @Override
        public synchronized void merge(MergeSource source, MergeTrigger trigger) throws IOException {
            for (MergePolicy.OneMerge merge; (merge = source.getNextMerge()) != null; ) {
                count++;
                source.merge(merge);
            }
        }

        @Override
        public void close() {}
    }

    /** Adds 5 documents and opens a reader, which flushes them as a segment; answers the segments it searches. */
    private static int flushSmallSegment(IndexWriter writer, SplittableRandom random) throws IOException {
        for (int i = 0; i < 5; i++) writer.addDocument(randomDocument(random));
        try (DirectoryReader r = DirectoryReader.open(writer)) {
            return r.leaves().size();
        }
    }

    @Test
    void aStoreMergesUnderWritesOnlyOnceQueriesSearchIt(@TempDir Path dir) throws Exception {
        try (VectorStore store = VectorStore.open(dir, SPACE, UNSETTLED)) {
            load(store, 0, 800, 8, 14);
            assertEquals(8, committedSegments(dir).size(), "a load nobody reads leaves its checkpointed batches unmerged");
            SplittableRandom random = new SplittableRandom(15);
            int[] next = {800};
            Await.until("writes under queries merge the small segments", () -> {
                store.query(new QuerySpec("", 10, vector(random), null, null, null, false, false));
                try {
                    load(store, next[0], 20, 1, next[0]);
                    next[0] += 20;
                    return committedSegments(dir).size() <= SettlingMergePolicy.MAX_UNSETTLED + 2;
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            assertEquals(next[0], store.stats(null).result().total());
        }
    }

    private static Document randomDocument(SplittableRandom random) {
        byte[] bytes = new byte[200];
        random.nextBytes(bytes);
        Document doc = new Document();
        doc.add(new StoredField("payload", bytes));
        return doc;
    }

    @Test
    void parallelSearchAnswersWhatSequentialSearchDoes(@TempDir Path dir) throws Exception {
        try (VectorStore parallel = VectorStore.open(dir.resolve("parallel"), SPACE, UNSETTLED.withParallelSearch(true));
                VectorStore sequential = VectorStore.open(dir.resolve("sequential"), SPACE, UNSETTLED.withParallelSearch(false))) {
            load(parallel, 0, 3000, 5, 6);
            load(sequential, 0, 3000, 5, 6);
            assertTrue(committedSegments(dir.resolve("parallel")).size() >= 5, "several segments to search in parallel");
            SplittableRandom random = new SplittableRandom(7);
            for (int i = 0; i < 50; i++) {
                QuerySpec q = new QuerySpec("", 10, vector(random), null, null, null, false, false);
                List<ScoredRecord> a = parallel.query(q).result();
                List<ScoredRecord> b = sequential.query(q).result();
                assertEquals(10, a.size());
                assertEquals(b.stream().map(ScoredRecord::id).toList(), a.stream().map(ScoredRecord::id).toList(), "query " + i);
            }
        }
    }

    /** Upserts into the store back to back on another thread until closed. */
    private static final class Writers implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;
        private volatile int batches;

        Writers(VectorStore store) {
            thread = Thread.ofPlatform().start(() -> {
                SplittableRandom random = new SplittableRandom(11);
                try {
                    for (int b = 0; !stop.get(); b++) {
                        List<VectorRecord> batch = new ArrayList<>();
                        for (int i = 0; i < 20; i++) batch.add(new VectorRecord("busy-" + (b * 20 + i) % 2000, vector(random), null, null));
                        store.upsert("", batch);
                        batches++;
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
        }

        /** The background writes went on and did not fail. */
        void check() {
            assertTrue(failure.get() == null, () -> "a background write failed: " + failure.get());
            assertTrue(batches > 0, "background writes ran");
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join();
        }
    }
}
