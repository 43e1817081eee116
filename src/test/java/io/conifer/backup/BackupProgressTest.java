package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Progress while several files of one backup are copied at once. */
class BackupProgressTest {
    @Test
    void countsEveryFileInHandEachUpToItsLength() {
        BackupProgress progress = new BackupProgress(1000);
        BackupProgress.InFile big = progress.startFile(700);
        BackupProgress.InFile small = progress.startFile(100);
        big.chunk(300);
        small.chunk(150); // a stored form longer than the file counts only up to the file's length
        assertEquals(400, progress.now().doneBytes());
        small.finish();
        assertEquals(400, progress.now().doneBytes());
        big.chunk(400);
        big.finish();
        BackupProgress.InFile reused = progress.startFile(200);
        reused.finish();
        assertEquals(1000, progress.now().doneBytes());
        assertEquals(100, progress.now().percent());
    }

    @Test
    void aFileWhoseChunksHaveAllMovedIsNotDoneUntilItFinishes() {
        BackupProgress progress = new BackupProgress(100);
        BackupProgress.InFile only = progress.startFile(100);
        only.chunk(100);
        assertEquals(99, progress.now().percent(), "its blob is still being published");
        only.finish();
        assertEquals(100, progress.now().percent());
    }

    /**
     * Two copiers finish files while a reader polls, as describe does. A file counted finished before it
     * left the files in hand, read without a lock, was counted twice by a snapshot taken in between, and
     * not at all by one read across both steps: the reader saw the bytes done go back.
     */
    @Test
    void snapshotsWhileFilesFinishNeverGoBackNorPassTheTotal() throws Exception {
        int filesPerCopier = 50_000;
        long length = 1000;
        long deadline = System.nanoTime() + 3_000_000_000L;
        AtomicReference<String> wrong = new AtomicReference<>();
        for (int round = 0; round < 20 && wrong.get() == null && System.nanoTime() < deadline; round++) {
            long total = 2 * filesPerCopier * length;
            BackupProgress progress = new BackupProgress(total);
            List<Thread> copiers = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                Thread t = new Thread(() -> {
                    for (int i = 0; i < filesPerCopier && wrong.get() == null; i++) {
                        BackupProgress.InFile f = progress.startFile(length);
                        f.chunk(length);
                        f.finish();
                    }
                });
                t.start();
                copiers.add(t);
            }
            long last = 0;
            while (wrong.get() == null && copiers.stream().anyMatch(Thread::isAlive)) {
                BackupProgress.Snapshot s = progress.now();
                if (s.doneBytes() < last) wrong.set("went back from " + last + " to " + s.doneBytes() + " in round " + round);
                if (s.doneBytes() > total) wrong.set(s.doneBytes() + " bytes done of " + total);
                last = s.doneBytes();
            }
            for (Thread t : copiers) t.join();
            if (wrong.get() == null) assertEquals(100, progress.now().percent());
        }
        assertNull(wrong.get());
    }
}
