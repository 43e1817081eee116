package io.conifer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.Field;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LogDocMergePolicy;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A merge that fails (here: its output cannot be created, as on a full disk) is said in the log, not
 * thrown out of the merge thread to the JVM's default handler. Lucene closes the writer on it (which the
 * engine reports and recovers from); the last commit is as it was.
 */
class GovernedMergeSchedulerTest {
    @Test
    void aFailedMergeReachesNoDefaultHandlerAndLeavesTheCommit(@TempDir Path dir) throws Exception {
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        try (Directory d = new FilterDirectory(FSDirectory.open(dir)) {
                    @Override
                    public IndexOutput createOutput(String name, IOContext context) throws IOException {
                        if (context.context() == IOContext.Context.MERGE) throw new IOException("No space left on device (simulated)");
                        return super.createOutput(name, context);
                    }
                }) {
            LogDocMergePolicy everyTwo = new LogDocMergePolicy();
            everyTwo.setMergeFactor(2);
            everyTwo.setMinMergeDocs(1);
            GovernedMergeScheduler scheduler = new GovernedMergeScheduler(new WriteGovernor(2, WriteGovernor.Clocks.SYSTEM),
                    new MergeWorkers(0), () -> false, dir);
            IndexWriter writer = new IndexWriter(d, new IndexWriterConfig().setMergePolicy(NoMergePolicy.INSTANCE).setMergeScheduler(scheduler));
            try {
                for (int segment = 0; segment < 2; segment++) {
                    Document doc = new Document();
                    doc.add(new StringField("id", "d" + segment, Field.Store.YES));
                    writer.addDocument(doc);
                    writer.commit();
                }
                writer.getConfig().setMergePolicy(everyTwo);
                try {
                    writer.maybeMerge();
                } catch (IllegalStateException failedAlready) {
                    // The merge thread failed before maybeMerge returned, and Lucene says so to the caller too.
                }
                scheduler.sync();
                assertTrue(writer.getTragicException() instanceof IOException, "the merge failed: " + writer.getTragicException());
            } finally {
                writer.rollback();
            }
            try (DirectoryReader r = DirectoryReader.open(d)) {
                assertEquals(2, r.numDocs());
                assertEquals(2, r.leaves().size(), "the last commit as it was");
            }
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
        assertEquals(List.of(), uncaught, "a merge failure reached the JVM's default handler");
    }
}
