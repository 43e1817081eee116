package io.conifer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.Await;
import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.Field;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write governor's budget, by its own accounting on a simulated clock (so no assertion depends on
 * how fast this machine is): while reads are in flight writes get their share of the cores and still
 * progress when merges take everything; without reads nothing waits or is charged; a write that would
 * wait too long is refused before it is logged; merges are charged.
 */
class WriteGovernorTest {
    private static final int CORES = 2;
    private static final long MS = 1_000_000L;

    /** A thread id no thread has: the simulated queries. */
    private static final long QUERIES = -1;

    /**
     * Wall time that moves only when a test or a governor's wait moves it; busy threads burn CPU with
     * it, and all of it is the process's.
     */
    static final class SimulatedClocks implements WriteGovernor.Clocks {
        long now = 1_000 * MS;
        long process;
        final Map<Long, Long> cpu = new ConcurrentHashMap<>();
        /** Cores each busy thread uses while wall time passes. */
        final Map<Long, Double> busy = new ConcurrentHashMap<>();

        void pass(long nanos) {
            now += nanos;
            busy.forEach((id, cores) -> {
                cpu.merge(id, (long) (cores * nanos), Long::sum);
                process += (long) (cores * nanos);
            });
        }

        /** An apply on the calling thread: its CPU time, in as much wall time. */
        void apply(long nanos) {
            process += nanos;
            pass(nanos);
        }

        @Override
        public long processCpuNanos() {
            return process;
        }

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public long threadCpuNanos(long threadId) {
            return cpu.getOrDefault(threadId, 0L);
        }

        @Override
        public void sleepNanos(long nanos) {
            pass(nanos);
        }
    }

    /** Applies costing {@code cpu} each (wall time passing as they run), through the governor; returns the wall time taken. */
    private static long applies(WriteGovernor governor, SimulatedClocks clocks, int count, long cpu) {
        long start = clocks.now;
        for (int i = 0; i < count; i++) {
            boolean governed = governor.admit();
            try (KeyLocks.Held applying = governor.applying(governed)) {
                clocks.apply(cpu);
                governor.charge(governed, cpu);
            }
        }
        return clocks.now - start;
    }

    @Test
    void whileReadsAreInFlightWritesGetTheirShareOfTheCores() {
        SimulatedClocks clocks = new SimulatedClocks();
        clocks.busy.put(QUERIES, (double) CORES);
        WriteGovernor governor = new WriteGovernor(CORES, clocks);
        try (KeyLocks.Held reading = governor.read()) {
            long wall = applies(governor, clocks, 1000, 10 * MS);
            long used = governor.charged()[0];
            assertEquals(1000 * 10 * MS, used, "every apply is charged");
            assertShare(used, wall, WriteGovernor.SHARE * CORES);
        }
    }

    @Test
    void onAMachineThatGivesTheProcessLessThanItsCoresWritesGetTheirShareOfWhatItGets() {
        SimulatedClocks clocks = new SimulatedClocks();
        double got = 0.6;
        clocks.busy.put(QUERIES, got);
        WriteGovernor governor = new WriteGovernor(CORES, clocks);
        try (KeyLocks.Held reading = governor.read()) {
            long wall = applies(governor, clocks, 300, 10 * MS);
            assertShare(governor.charged()[0], wall, got * WriteGovernor.SHARE / (1 - WriteGovernor.SHARE));
        }
    }

    /** Applies used their budget of {@code cores} plus the minimum share, no more and (as they never stopped asking) not much less. */
    private static void assertShare(long used, long wall, double cores) {
        // What it earns over the wall time, plus the full buckets it starts with, plus the one apply that overdraws.
        double allowed = (cores + WriteGovernor.MIN_SHARE * CORES) * wall
                + (WriteGovernor.SHARE + WriteGovernor.MIN_SHARE) * CORES * WriteGovernor.BURST_NANOS + 10 * MS;
        assertTrue(used <= allowed, "applies used " + used / (double) wall + " cores, more than " + cores + " + the minimum share");
        assertTrue(used >= 0.9 * (cores + WriteGovernor.MIN_SHARE * CORES) * wall,
                "applies were held below their share: " + used / (double) wall + " cores");
    }

    /** A merge that keeps every core busy until closed, on its own thread registered as writes' background work. */
    private static final class Merge implements AutoCloseable {
        private final CountDownLatch done = new CountDownLatch(1);
        private final Thread thread;

        Merge(WriteGovernor governor, SimulatedClocks clocks) throws InterruptedException {
            CountDownLatch registered = new CountDownLatch(1);
            thread = Thread.ofPlatform().start(() -> {
                try (KeyLocks.Held merging = governor.background()) {
                    registered.countDown();
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            registered.await();
            clocks.busy.put(thread.threadId(), (double) CORES);
        }

        @Override
        public void close() throws InterruptedException {
            done.countDown();
            thread.join();
        }
    }

    @Test
    void mergesTakingEveryCoreStillLeaveAppliesTheirMinimumShare() throws Exception {
        SimulatedClocks clocks = new SimulatedClocks();
        WriteGovernor governor = new WriteGovernor(CORES, clocks);
        Merge merge = new Merge(governor, clocks);
        try (KeyLocks.Held reading = governor.read()) {
            long wall = applies(governor, clocks, 200, 10 * MS);
            long applied = governor.charged()[0];
            assertTrue(applied >= 0.9 * WriteGovernor.MIN_SHARE * CORES * wall,
                    "merges starved the applies: " + applied / (double) wall + " cores");
            assertTrue(applied <= (WriteGovernor.MIN_SHARE * CORES * wall) + 2 * WriteGovernor.SHARE * CORES * WriteGovernor.BURST_NANOS + 10 * MS,
                    "applies got more than the minimum share while merges overspent the budget: " + applied / (double) wall + " cores");
            assertTrue(governor.charged()[1] > 0.9 * CORES * wall, "the merge's CPU was charged as it ran");
        } finally {
            merge.close();
        }
    }

    @Test
    void aMergeIsChargedInFullThoughNothingSamplesItForSeconds() throws Exception {
        SimulatedClocks clocks = new SimulatedClocks();
        WriteGovernor governor = new WriteGovernor(CORES, clocks);
        try (KeyLocks.Held reading = governor.read(); Merge merge = new Merge(governor, clocks)) {
            // The writers are all waiting (for the applier, for Lucene): no admission samples the merge.
            clocks.pass(3_000 * MS);
            governor.admit();
            assertEquals(CORES * 3_000 * MS, governor.charged()[1], "all the merge's CPU while reads were in flight");
        }
    }

    @Test
    void aMergeIsChargedOnlyForTheTimeReadsWereInFlight() throws Exception {
        SimulatedClocks clocks = new SimulatedClocks();
        WriteGovernor governor = new WriteGovernor(CORES, clocks);
        // Its last sample, when it ends, covers all three seconds.
        try (Merge merge = new Merge(governor, clocks)) {
            clocks.pass(1_000 * MS);
            try (KeyLocks.Held reading = governor.read()) {
                clocks.pass(1_000 * MS);
            }
            clocks.pass(1_000 * MS);
        }
        assertEquals(CORES * 1_000 * MS, governor.charged()[1], "the merge's CPU in the second the read was in flight");
    }

    @Test
    void withoutReadsWritesAreNeitherThrottledNorCharged() throws Exception {
        SimulatedClocks clocks = new SimulatedClocks();
        WriteGovernor governor = new WriteGovernor(CORES, clocks);
        Merge merge = new Merge(governor, clocks);
        try {
            for (int i = 0; i < 1000; i++) {
                assertFalse(governor.admit(), "no read in flight: the write is not governed");
                // Both apply at once (this thread would block on the second applier otherwise).
                try (KeyLocks.Held a = governor.applying(false); KeyLocks.Held b = governor.applying(false)) {
                    clocks.apply(10 * MS);
                    governor.charge(false, 10 * MS);
                }
            }
            assertEquals(1000 * 10 * MS, clocks.now - 1_000 * MS, "no write waited");
        } finally {
            merge.close();
        }
        assertEquals(0, governor.charged()[0] + governor.charged()[1], "nothing is charged without reads");
    }

    @Test
    void whileReadsAreInFlightGovernedWritesApplyOnHalfTheCores() throws Exception {
        WriteGovernor governor = new WriteGovernor(CORES, new SimulatedClocks());
        try (KeyLocks.Held reading = governor.read()) {
            KeyLocks.Held first = governor.applying(true);
            CountDownLatch applied = new CountDownLatch(1);
            Thread waiting = Thread.ofPlatform().start(() -> {
                governor.applying(true).close();
                applied.countDown();
            });
            Await.until("the second write waits for the applier", () -> waiting.getState() == Thread.State.WAITING);
            assertEquals(1, applied.getCount(), "one of 2 cores applies writes while a read is in flight");
            first.close();
            assertTrue(applied.await(30, TimeUnit.SECONDS));
        }
    }

    private static final RecordShape<String> IDS = ids(() -> {});

    /** Records are ids; applying one indexes a document with that id, then runs {@code afterApply}. */
    static RecordShape<String> ids(Runnable afterApply) {
        return new RecordShape<>() {
            @Override
            public byte[] encode(String op) {
                return op.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String decode(byte[] payload) {
                return new String(payload, StandardCharsets.UTF_8);
            }

            @Override
            public void apply(IndexWriter writer, String op) throws IOException {
                Document doc = new Document();
                doc.add(new StringField("id", op, Field.Store.NO));
                writer.updateDocument(new Term("id", op), doc);
                afterApply.run();
            }
        };
    }

    @Test
    void aWriteThatWouldWaitTooLongIsRefusedWithNothingWritten(@TempDir Path dir) throws Exception {
        SimulatedClocks clocks = new SimulatedClocks();
        WriteGovernor governor = new WriteGovernor(CORES, clocks);
        try (StorageEngine<String> engine = StorageEngine.open(dir, IDS, null, null, StoreOptions.defaults(), governor)) {
            try (KeyLocks.Held reading = governor.read()) {
                assertTrue(engine.write("first", List.of("first")) > 0, "a write within the budget is admitted");
                assertTrue(governor.charged()[0] > 0, "its apply was charged");
                // Far more than the budget and the minimum share could pay off within the wait bound.
                governor.charge(true, 100_000 * MS);
                governor.charge(true, 100_000 * MS);
                long before = engine.appliedSeq();
                ConiferException refused = assertThrows(ConiferException.class, () -> engine.write("second", List.of("second")));
                assertEquals(ErrorCode.RESOURCE_EXHAUSTED, refused.code());
                assertTrue(refused.getMessage().contains("nothing was written"), refused.getMessage());
                assertEquals(before, engine.appliedSeq(), "the refused write was not logged");
            }
            assertTrue(engine.write("third", List.of("third")) > 0, "without reads the same write goes through at once");
            assertEquals(2, engine.read(s -> s.count(new org.apache.lucene.search.MatchAllDocsQuery())).result());
        }
        // Replay after reopening finds only the admitted writes in the log.
        try (StorageEngine<String> reopened = StorageEngine.open(dir, IDS, null, null, StoreOptions.defaults(), governor)) {
            assertEquals(2, reopened.read(s -> s.count(new org.apache.lucene.search.MatchAllDocsQuery())).result());
        }
    }

    @Test
    void mergesAreChargedWhileReadsAreInFlight(@TempDir Path dir) throws Exception {
        assertTrue(ManagementFactory.getThreadMXBean().isThreadCpuTimeSupported(), "this JVM measures thread CPU time");
        SimulatedClocks simulated = new SimulatedClocks();
        // Simulated wall time (so every sample is recent), the merge threads' real CPU time.
        WriteGovernor.Clocks clocks = new WriteGovernor.Clocks() {
            @Override
            public long nanoTime() {
                return simulated.nanoTime();
            }

            @Override
            public long threadCpuNanos(long threadId) {
                return WriteGovernor.Clocks.SYSTEM.threadCpuNanos(threadId);
            }

            @Override
            public long processCpuNanos() {
                return WriteGovernor.Clocks.SYSTEM.processCpuNanos();
            }

            @Override
            public void sleepNanos(long nanos) {
                simulated.sleepNanos(nanos);
            }
        };
        WriteGovernor governor = new WriteGovernor(CORES, clocks);
        SplittableRandom random = new SplittableRandom(3);
        IndexWriterConfig config = new IndexWriterConfig().setMergeScheduler(new GovernedMergeScheduler(governor, new MergeWorkers(0), () -> false, dir));
        KeyLocks.Held reading = null;
        // Closing the writer waits for its merge threads, so the read ends after the merge's last sample.
        try (Directory d = FSDirectory.open(dir); IndexWriter writer = new IndexWriter(d, config)) {
            for (int segment = 0; segment < 4; segment++) {
                for (int i = 0; i < 500; i++) {
                    float[] v = new float[32];
                    for (int j = 0; j < v.length; j++) v[j] = (float) random.nextDouble();
                    Document doc = new Document();
                    doc.add(new KnnFloatVectorField("v", v));
                    writer.addDocument(doc);
                }
                writer.flush();
            }
            assertEquals(0, governor.charged()[1], "nothing merged yet");
            reading = governor.read();
            writer.forceMerge(1);
        } finally {
            if (reading != null) reading.close();
        }
        assertTrue(governor.charged()[1] > 0, "the merge's CPU was charged");
    }
}
