package io.conifer.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.store.StoreOptions;
import io.conifer.vectors.Metric;
import io.conifer.vectors.VectorRecord;
import io.conifer.vectors.VectorStore;
import io.conifer.vectors.VectorType;
import java.io.Closeable;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the server while its maintenance thread is inside a Lucene commit. The tick must be left to
 * finish: interrupting it closed the channel of the writer's lock under it (ClosedByInterruptException),
 * the writer failed, and so did that index's final checkpoint, leaving its last writes to a log replay at
 * the next start (seen in the benchmark's logs). Each index's own commit, read without the log, must
 * hold every acknowledged write.
 */
class ShutdownDuringMaintenanceTest {
    private static final int INDEXES = 8;
    private static final int DIM = 16;

    @Test
    void stoppingDuringACheckpointTickLeavesEveryWriteInEachIndexsFinalCommit(@TempDir Path dir) throws Exception {
        Set<Thread> earlier = maintenanceThreads();
        // A checkpoint interval of 0: every tick checkpoints every index that changed, so ticks spend
        // most of their time in commits while writes keep coming.
        IndexManager indexes = new IndexManager(dir.resolve("data"), (def, store) -> (Closeable) () -> {},
                InetAddress.getLoopbackAddress(), 41000, (d, space) -> VectorStore.open(d, space, StoreOptions.defaults()),
                CommitGate.OPEN, 0);
        List<IndexDefinition> defs = new ArrayList<>();
        long[] acked = new long[INDEXES];
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> writeFailure = new AtomicReference<>();
        boolean closed = false;
        try {
            indexes.start();
            for (int i = 0; i < INDEXES; i++) {
                defs.add(indexes.create("p", new IndexManager.NewIndex("i" + i,
                        IndexSchema.vectors(VectorType.DENSE, DIM, Metric.COSINE, null), Deployment.DEFAULT,
                        ReadCapacity.ON_DEMAND, false, Map.of(), null)));
            }
            Thread writer = Thread.ofPlatform().name("test-writer").start(() -> {
                SplittableRandom random = new SplittableRandom(7);
                try {
                    for (int round = 0; !stop.get(); round++) {
                        for (int i = 0; i < INDEXES; i++) {
                            List<VectorRecord> batch = new ArrayList<>();
                            for (int r = 0; r < 20; r++) batch.add(new VectorRecord(round + "-" + r, vector(random), null, null));
                            indexes.vectors("p", "i" + i).upsert("", batch);
                            acked[i] += batch.size();
                        }
                    }
                } catch (Throwable t) {
                    writeFailure.set(t);
                }
            });
            List<Thread> ours = new ArrayList<>(maintenanceThreads());
            ours.removeAll(earlier);
            assertEquals(1, ours.size(), "this index manager's maintenance thread");
            Thread tick = ours.get(0);
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!inCommit(tick) && System.nanoTime() < deadline && writer.isAlive()) Thread.onSpinWait();
            assertTrue(inCommit(tick), "the maintenance thread was never seen inside a commit");
            stop.set(true);
            writer.join();
            indexes.close();
            closed = true;
        } finally {
            stop.set(true);
            if (!closed) indexes.close();
        }
        assertEquals(null, writeFailure.get(), "a write failed");
        for (int i = 0; i < INDEXES; i++) {
            assertTrue(acked[i] > 0);
            try (FSDirectory lucene = FSDirectory.open(dir.resolve("data/indexes").resolve(defs.get(i).id()).resolve("lucene"));
                    DirectoryReader committed = DirectoryReader.open(lucene)) {
                assertEquals(acked[i], committed.numDocs(), "index i" + i + "'s final commit lacks acknowledged writes "
                        + "(all acknowledged: " + Arrays.toString(acked) + ")");
            }
        }
    }

    private static float[] vector(SplittableRandom random) {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) v[d] = (float) random.nextGaussian();
        return v;
    }

    private static Set<Thread> maintenanceThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("conifer-checkpoint"))
                .collect(Collectors.toSet());
    }

    private static boolean inCommit(Thread t) {
        for (StackTraceElement frame : t.getStackTrace()) {
            if (frame.getClassName().equals("org.apache.lucene.index.IndexWriter") && frame.getMethodName().equals("commit")) return true;
        }
        return false;
    }
}
