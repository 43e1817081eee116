package io.conifer.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing the scheduler lets a running pass finish without an interrupt: a pass may be inside a source
 * index's Lucene writer (a backup's point-in-time copy), where an interrupt closes the channel of the
 * writer's lock and fails the writer. Here the pass does what such I/O does: it writes through a
 * {@link FileChannel}, which an interrupt closes (ClosedByInterruptException).
 */
class BackupSchedulerTest {
    @Test
    void closeLetsARunningPassFinishItsIo(@TempDir Path dir) throws Exception {
        CountDownLatch passStarted = new CountDownLatch(1);
        AtomicReference<Thread> closer = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch passEnded = new CountDownLatch(1);
        Path file = dir.resolve("written-by-the-pass");
        BackupScheduler scheduler = new BackupScheduler(now -> {
            passStarted.countDown();
            try {
                // Until close() is waiting for this pass: any interrupt it sends has been sent by then.
                while (closer.get() == null || closer.get().getState() != Thread.State.TIMED_WAITING) Thread.onSpinWait();
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap("done".getBytes()));
                }
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                passEnded.countDown();
            }
        }, new TestClock(Instant.parse("2026-01-01T00:00:00Z")));
        scheduler.start();
        assertTrue(passStarted.await(10, TimeUnit.SECONDS), "the first pass runs at start");
        Thread t = Thread.ofPlatform().name("test-closer").unstarted(scheduler::close);
        closer.set(t);
        t.start();
        assertTrue(passEnded.await(20, TimeUnit.SECONDS), "the pass ended");
        t.join();
        assertNull(failure.get(), "the pass was interrupted: " + failure.get());
        assertEquals("done", Files.readString(file));
    }
}
