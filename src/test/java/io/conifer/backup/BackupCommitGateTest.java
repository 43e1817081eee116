package io.conifer.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.index.CommitGate;
import io.conifer.schedule.BackupSchedule;
import io.conifer.schedule.Frequency;
import io.conifer.schedule.ScheduleService;
import io.conifer.index.IndexManager;
import io.conifer.vectors.VectorRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup create and delete pass the control plane's commit gate before their first durable change, so
 * a request that timed out (and was answered "not applied") leaves the repository as it was.
 */
class BackupCommitGateTest {
    private static final ConiferException TIMED_OUT = new ConiferException(ErrorCode.UNAVAILABLE, "timed out");

    @Test
    void aRefusedGateLeavesNoBackupBehindAndKeepsADeletedOne(@TempDir Path dir) throws Exception {
        AtomicBoolean refuse = new AtomicBoolean();
        CommitGate gate = () -> {
            if (refuse.get()) throw TIMED_OUT;
        };
        IndexManager indexes = indexes(dir);
        BackupService backups = null;
        try {
            backups = BackupFixtures.backups(dir, new LocalBackupRepository(dir.resolve("repo")), indexes, gate);

            refuse.set(true);
            BackupService service = backups;
            assertThrows(ConiferException.class, () -> service.create("p", "docs", "late", null));
            assertEquals(List.of(), backups.list("p"), "a refused create left a backup");
            assertEquals(0, countFiles(dir.resolve("staging")), "a refused create left staging files");

            refuse.set(false);
            String id = backups.create("p", "docs", "kept", null).backupId();
            Instant until = Instant.now().plus(Duration.ofSeconds(60));
            while (backups.describe("p", id).status() == BackupStatus.Initializing && Instant.now().isBefore(until)) {
                Thread.sleep(20);
            }
            assertEquals(BackupStatus.Ready, backups.describe("p", id).status());
            refuse.set(true);
            assertThrows(ConiferException.class, () -> service.delete("p", id));
            assertThrows(ConiferException.class, () -> service.deleteWhenRestoresEnd("p", id));
            assertEquals(BackupStatus.Ready, backups.describe("p", id).status(), "a refused delete removed the backup");
            assertTrue(backups.repository().getManifest(id).isPresent(), "a refused delete removed the manifest");
        } finally {
            if (backups != null) backups.close();
            indexes.close();
        }
    }

    /**
     * Schedule create, update (re-enabling takes a backup at once) and delete pass the gate likewise: the
     * schedules API runs under the control plane's deadline too.
     */
    @Test
    void aRefusedGateLeavesTheSchedulesAsTheyWere(@TempDir Path dir) throws Exception {
        AtomicBoolean refuse = new AtomicBoolean();
        CommitGate gate = () -> {
            if (refuse.get()) throw TIMED_OUT;
        };
        IndexManager indexes = indexes(dir);
        try (BackupService backups = BackupFixtures.backups(dir, new LocalBackupRepository(dir.resolve("repo")), indexes, gate)) {
            ScheduleService schedules = new ScheduleService(dir.resolve("schedules.json"), indexes, backups, Clock.systemUTC(), gate);
            refuse.set(true);
            assertThrows(ConiferException.class, () -> schedules.create("p", "docs", new ScheduleService.NewSchedule("late",
                    Frequency.DAILY, 7)));
            assertEquals(List.of(), schedules.list("p", "docs"), "a refused create left a schedule");

            refuse.set(false);
            String id = schedules.create("p", "docs", new ScheduleService.NewSchedule("nightly", Frequency.DAILY, 7)).scheduleId();
            schedules.update("p", id, new ScheduleService.Changes(null, null, false));
            refuse.set(true);
            assertThrows(ConiferException.class, () -> schedules.update("p", id, new ScheduleService.Changes(null, 30, true)));
            assertThrows(ConiferException.class, () -> schedules.delete("p", id));
            BackupSchedule kept = schedules.describe("p", id);
            assertFalse(kept.enabled(), "a refused update re-enabled the schedule");
            assertEquals(7, kept.retentionDays());
            assertEquals(List.of(), backups.list("p"), "a refused re-enable took a backup");
            assertEquals(List.of(), schedules.history("p", id).entries(), "a refused re-enable recorded a run");
        } finally {
            indexes.close();
        }
    }

    /** An index manager, started, with index "docs" in project "p" holding one vector. */
    private static IndexManager indexes(Path dir) throws Exception {
        IndexManager indexes = BackupFixtures.indexes(dir);
        indexes.vectors("p", "docs").upsert("", List.of(new VectorRecord("a", new float[] {1, 0}, null, Map.of())));
        return indexes;
    }

    private static long countFiles(Path dir) throws Exception {
        if (!Files.exists(dir)) return 0;
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
