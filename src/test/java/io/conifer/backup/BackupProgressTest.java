package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
