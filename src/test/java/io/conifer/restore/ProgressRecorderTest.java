package io.conifer.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ProgressRecorderTest {
    @TempDir
    Path dir;

    /**
     * Offers return while the job store is busy (the copy threads never wait on its fsyncs), a percent
     * is shown only once it is recorded, the latest one wins, and nothing is recorded after finish.
     * The timeout only guards against an offer that would wait on the store forever.
     */
    @Test
    @Timeout(120)
    void offersNeverWaitOnTheStoreAndThePercentShownIsTheOneRecorded() throws Exception {
        Path file = dir.resolve("restore-jobs.json");
        RestoreJobStore store = new RestoreJobStore(file);
        RestoreJob running = new RestoreJob("job", "p", "backup", "copy", "index", RestoreJob.Status.InProgress,
                "2026-11-27T00:00:00.000Z", null, 0, null);
        store.put(running);
        Map<String, Double> shown = new ConcurrentHashMap<>();
        ProgressRecorder recorder = new ProgressRecorder(store, running, shown, Duration.ofMillis(20));
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread busy = Thread.ofPlatform().start(() -> {
            synchronized (store) { // as a long write of the store would
                holding.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        holding.await();
        for (int percent = 1; percent <= 40; percent++) recorder.offer(percent);
        assertNull(shown.get("job"), "nothing is shown before it is recorded");
        release.countDown();
        busy.join();

        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Double.valueOf(40).equals(shown.get("job")) && System.nanoTime() < deadline) Thread.sleep(5);
        assertEquals(40.0, shown.get("job"), "the latest percent is shown");
        assertEquals(40.0, new RestoreJobStore(file).get("job").percentComplete(), "and was recorded first");

        recorder.finish();
        recorder.offer(70);
        assertEquals(40.0, new RestoreJobStore(file).get("job").percentComplete(), "nothing is recorded after finish");
        assertEquals(40.0, shown.get("job"));
    }
}
