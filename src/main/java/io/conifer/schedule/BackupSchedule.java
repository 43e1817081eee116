package io.conifer.schedule;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A backup schedule as stored. {@code anchor} is its first run, which every later run is counted from;
 * {@code nextRun} is null while disabled; {@code nextBackupId} is the id the next run's backup will
 * get (shown on the history's {@code Scheduled} row); {@code plannedAt} is when that run was planned.
 * {@code indexDeletedAt} is set once its index is gone: the schedule is then disabled for good but
 * stays visible. {@code deleted} marks a schedule the user deleted that is kept, invisibly, only
 * until retention has removed the backups it made.
 */
public record BackupSchedule(
        String scheduleId,
        String project,
        String name,
        String indexId,
        String indexName,
        String cloud,
        String region,
        Frequency frequency,
        int retentionDays,
        boolean enabled,
        String anchor,
        String nextRun,
        String nextBackupId,
        String plannedAt,
        String createdAt,
        String indexDeletedAt,
        boolean deleted,
        List<ScheduledRun> runs) {

    public Cadence cadence() {
        return new Cadence(frequency, Instant.parse(anchor));
    }

    public Instant nextRunAt() {
        return UtcTimes.parse(nextRun);
    }

    BackupSchedule withSettings(Frequency newFrequency, int newRetentionDays) {
        return new BackupSchedule(scheduleId, project, name, indexId, indexName, cloud, region, newFrequency, newRetentionDays,
                enabled, anchor, nextRun, nextBackupId, plannedAt, createdAt, indexDeletedAt, deleted, runs);
    }

    /** Enabled with its next run at {@code next}, planned at {@code now}; or disabled when next is null. */
    BackupSchedule planned(Instant next, String backupId, Instant now) {
        return new BackupSchedule(scheduleId, project, name, indexId, indexName, cloud, region, frequency, retentionDays,
                next != null, anchor, UtcTimes.format(next), backupId, UtcTimes.format(now), createdAt, indexDeletedAt,
                deleted, runs);
    }

    BackupSchedule withIndexDeleted(Instant at) {
        return new BackupSchedule(scheduleId, project, name, indexId, indexName, cloud, region, frequency, retentionDays,
                false, anchor, null, nextBackupId, plannedAt, createdAt, UtcTimes.format(at), deleted, runs);
    }

    BackupSchedule asDeleted() {
        return new BackupSchedule(scheduleId, project, name, indexId, indexName, cloud, region, frequency, retentionDays,
                false, anchor, null, nextBackupId, plannedAt, createdAt, indexDeletedAt, true, runs);
    }

    BackupSchedule withRuns(List<ScheduledRun> newRuns) {
        return new BackupSchedule(scheduleId, project, name, indexId, indexName, cloud, region, frequency, retentionDays,
                enabled, anchor, nextRun, nextBackupId, plannedAt, createdAt, indexDeletedAt, deleted, List.copyOf(newRuns));
    }

    /** This schedule with {@code run} added, or replacing the run with the same backup id. */
    BackupSchedule withRun(ScheduledRun run) {
        List<ScheduledRun> out = new ArrayList<>();
        for (ScheduledRun r : runs) if (!r.backupId().equals(run.backupId())) out.add(r);
        out.add(run);
        return withRuns(out);
    }
}
