package io.conifer.schedule;

import io.conifer.backup.BackupManifest;
import io.conifer.backup.BackupService;
import io.conifer.backup.BackupStatus;
import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.index.CommitGate;
import io.conifer.index.IndexDefinition;
import io.conifer.index.IndexManager;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backup schedules: their lifecycle, their runs and the retention of the backups they made. Every
 * operation is serialised on this object and starts by noticing indexes deleted since the last one:
 * a deleted index's schedules are disabled for good but stay visible (describe, history), and
 * retention goes on removing their backups. A run is an ordinary {@link BackupService} backup.
 */
public final class ScheduleService {
    private static final Logger log = LoggerFactory.getLogger(ScheduleService.class);

    private final ScheduleStore store;
    private final IndexManager indexes;
    private final BackupService backups;
    private final Clock clock;
    private final CommitGate gate;

    /** A validated create request. */
    public record NewSchedule(String name, Frequency frequency, int retentionDays) {}

    /** A validated update; null fields are unchanged. */
    public record Changes(Frequency frequency, Integer retentionDays, Boolean enabled) {}

    /** A schedule's history rows and its index, if it still exists. */
    public record History(BackupSchedule schedule, IndexDefinition index, List<HistoryEntry> entries) {}

    /**
     * {@code gate}: passed before a request's first durable change, so a request the control plane has
     * already answered as timed out ("not applied") changes nothing.
     */
    public ScheduleService(Path file, IndexManager indexes, BackupService backups, Clock clock, CommitGate gate) throws IOException {
        this.store = new ScheduleStore(file);
        this.indexes = indexes;
        this.backups = backups;
        this.clock = clock;
        this.gate = gate;
    }

    /**
     * Settles runs a crash interrupted: the run was recorded, with its backup id, before the backup
     * was requested, so the backup either exists (the run happened) or does not (the run failed).
     */
    public synchronized void start() throws IOException {
        for (BackupSchedule s : store.all()) {
            for (ScheduledRun run : s.runs()) {
                if (!run.pending()) continue;
                boolean happened = manifest(s.project(), run.backupId()) != null;
                store.put(s = s.withRun(happened ? run.started()
                        : run.failed("Interrupted: the server stopped before the backup started")));
            }
        }
    }

    public synchronized BackupSchedule create(String project, String indexName, NewSchedule req) throws IOException {
        IndexDefinition index = indexes.require(project, indexName).definition();
        Instant now = clock.instant();
        noticeDeletedIndexes(now);
        requireNoOtherEnabled(index.id(), null);
        Instant first = Cadence.firstRunAfter(now);
        BackupSchedule s = new BackupSchedule(UUID.randomUUID().toString(), project, req.name(), index.id(), index.name(),
                index.deployment().cloud(), index.deployment().region(), req.frequency(), req.retentionDays(), true, UtcTimes.format(first),
                UtcTimes.format(first), UUID.randomUUID().toString(), UtcTimes.format(now), UtcTimes.format(now), null, false,
                List.of());
        gate.pass();
        store.put(s);
        log.info("Backup schedule {} '{}' created for index '{}': {}, first run {}", s.scheduleId(), s.name(), index.name(),
                req.frequency().apiName(), s.nextRun());
        return s;
    }

    public synchronized BackupSchedule describe(String project, String scheduleId) throws IOException {
        noticeDeletedIndexes(clock.instant());
        return visible(project, scheduleId);
    }

    /** The index's schedules (enabled and disabled), oldest first. */
    public synchronized List<BackupSchedule> list(String project, String indexName) throws IOException {
        IndexDefinition index = indexes.require(project, indexName).definition();
        noticeDeletedIndexes(clock.instant());
        List<BackupSchedule> out = new ArrayList<>();
        for (BackupSchedule s : store.all()) if (!s.deleted() && s.indexId().equals(index.id())) out.add(s);
        out.sort(Comparator.comparing(ScheduleService::sortKey));
        return out;
    }

    public static String sortKey(BackupSchedule s) {
        return s.createdAt() + "|" + s.scheduleId();
    }

    /**
     * Applies an update. Re-enabling takes a backup at once and plans the next run from the clock;
     * a new frequency keeps the schedule's anchor, so its runs stay at the same time of day.
     */
    public synchronized BackupSchedule update(String project, String scheduleId, Changes c) throws IOException {
        Instant now = clock.instant();
        noticeDeletedIndexes(now);
        BackupSchedule s = visible(project, scheduleId);
        boolean enabling = Boolean.TRUE.equals(c.enabled()) && !s.enabled();
        if (enabling) {
            if (s.indexDeletedAt() != null) {
                throw ConiferException.invalid("Backup schedule " + scheduleId + " cannot be enabled: its index '"
                        + s.indexName() + "' was deleted. Create a schedule on another index instead.");
            }
            requireNoOtherEnabled(s.indexId(), scheduleId);
        }
        boolean newFrequency = c.frequency() != null && c.frequency() != s.frequency();
        gate.pass(); // before run(), which stores the run it is about to take
        s = s.withSettings(c.frequency() != null ? c.frequency() : s.frequency(),
                c.retentionDays() != null ? c.retentionDays() : s.retentionDays());
        if (Boolean.FALSE.equals(c.enabled())) {
            s = s.planned(null, s.nextBackupId(), now);
        } else if (enabling) {
            s = run(s, s.cadence().runAfter(now), now, now);
        } else if (s.enabled() && newFrequency) {
            s = s.planned(RunPlanner.replan(s.cadence(), s.nextRunAt(), now), s.nextBackupId(), now);
        }
        store.put(s);
        return s;
    }

    /**
     * Deletes a schedule: it never runs again and is no longer visible; the backups it made stay
     * until their retention ends (the record is kept, hidden, until then).
     */
    public synchronized void delete(String project, String scheduleId) throws IOException {
        noticeDeletedIndexes(clock.instant());
        BackupSchedule s = visible(project, scheduleId);
        boolean ownsBackups = s.runs().stream().anyMatch(r -> r.failure() == null);
        gate.pass();
        if (ownsBackups) store.put(s.asDeleted());
        else store.remove(scheduleId);
        log.info("Backup schedule {} '{}' deleted", scheduleId, s.name());
    }

    public synchronized History history(String project, String scheduleId) throws IOException {
        noticeDeletedIndexes(clock.instant());
        BackupSchedule s = visible(project, scheduleId);
        List<HistoryEntry> rows = new ArrayList<>();
        if (s.enabled()) {
            rows.add(new HistoryEntry("0", s.nextBackupId(), UtcTimes.backupName(s.name(), s.nextRunAt()),
                    HistoryEntry.SCHEDULED, s.plannedAt(), s.nextRun(), null));
        }
        for (ScheduledRun run : s.runs()) {
            String key = "1|" + newestFirst(run.startedAt()) + "|" + run.backupId();
            BackupManifest m = run.failure() == null ? manifest(project, run.backupId()) : null;
            if (m != null) {
                String status = m.status() == BackupStatus.Failed ? HistoryEntry.INITIALIZATION_FAILED : m.status().name();
                rows.add(new HistoryEntry(key, run.backupId(), m.name(), status, m.createdAt(), null, m));
            } else if (run.failure() != null) {
                rows.add(new HistoryEntry(key, run.backupId(), run.name(), HistoryEntry.INITIALIZATION_FAILED, run.startedAt(),
                        null, null));
            }
        }
        rows.sort(Comparator.comparing(HistoryEntry::sortKey));
        IndexManager.OpenIndex index = indexes.byId(s.indexId());
        return new History(s, index == null ? null : index.definition(), rows);
    }

    /** A key that sorts later times first: the complement of the epoch milliseconds, fixed width. */
    private static String newestFirst(String time) {
        return String.format("%019d", Long.MAX_VALUE - UtcTimes.parse(time).toEpochMilli());
    }

    /** One scheduler pass at {@code now}: take the backups that are due, then apply retention. */
    public synchronized void tick(Instant now) throws IOException {
        noticeDeletedIndexes(now);
        for (BackupSchedule s : store.all()) {
            if (!s.enabled() || s.nextRun() == null) continue;
            RunPlanner.Plan plan = RunPlanner.plan(s.cadence(), s.nextRunAt(), now);
            if (plan.runAt() != null) {
                store.put(run(s, plan.nextRun(), plan.runAt(), now));
            } else if (!plan.nextRun().equals(s.nextRunAt())) {
                log.warn("The clock went back: backup schedule {} now runs next at {} instead of {}", s.scheduleId(),
                        plan.nextRun(), s.nextRun());
                store.put(s.planned(plan.nextRun(), s.nextBackupId(), now));
            }
        }
        expire(now);
    }

    /**
     * Takes one backup for {@code s}, standing for its run time {@code slot}, plans the run after it at
     * {@code next}, and returns the schedule with the run recorded. The run is stored, pending, under
     * its backup id (the one the {@code Scheduled} row showed) before the backup is asked for, so a
     * crash in between is settled by {@link #start}; the next run gets a fresh backup id.
     */
    private BackupSchedule run(BackupSchedule s, Instant next, Instant slot, Instant now) throws IOException {
        ScheduledRun run = new ScheduledRun(s.nextBackupId(), UtcTimes.backupName(s.name(), slot), UtcTimes.format(slot),
                UtcTimes.format(now), true, null);
        s = s.planned(next, UUID.randomUUID().toString(), now).withRun(run);
        store.put(s);
        ScheduledRun done;
        try {
            IndexManager.OpenIndex index = indexes.byId(s.indexId());
            if (index == null) throw ConiferException.notFound("Index " + s.indexName() + " not found.");
            backups.create(s.project(), index.definition().name(), run.name(), null, run.backupId());
            done = run.started();
            log.info("Backup schedule {} '{}' started backup {} ({})", s.scheduleId(), s.name(), run.backupId(), run.name());
        } catch (ConiferException | IOException e) {
            done = run.failed(e.getMessage());
            log.warn("Backup schedule {} '{}' could not start backup {}: {}", s.scheduleId(), s.name(), run.name(),
                    e.getMessage());
        }
        return s.withRun(done);
    }

    /**
     * Removes the scheduled backups older than their schedule's retention (counted from the run on the
     * scheduler's clock). Manual backups are never in a schedule's runs, so they are never touched. A
     * backup a restore is reading is refused by {@link BackupService#delete} and tried again next tick.
     * While the schedule and its index exist, its newest Ready backup is kept however old: if every
     * later run failed (a full repository, a broken index), retention must not leave the index with no
     * backup at all; it goes once a newer one is Ready. A backup that cannot be read now (an encrypted one
     * whose key this start was not given, a repository not answering) stays in its schedule, to be judged
     * once it can be; the newest Ready one is then told among the others, which keeps one more at most.
     */
    private void expire(Instant now) throws IOException {
        for (BackupSchedule s : store.all()) {
            Duration retention = Duration.ofDays(s.retentionDays());
            Map<String, BackupManifest> manifests = new HashMap<>();
            Set<String> unreadable = new HashSet<>();
            for (ScheduledRun run : s.runs()) {
                if (run.failure() != null) continue;
                try {
                    manifests.put(run.backupId(), backups.describe(s.project(), run.backupId()));
                } catch (ConiferException e) {
                    // Not found: deleted by hand, and it leaves the runs.
                    if (e.code() != ErrorCode.NOT_FOUND) unreadable.add(run.backupId());
                }
            }
            String lastGood = s.deleted() || s.indexDeletedAt() != null ? null : newestReady(s, manifests);
            List<ScheduledRun> kept = new ArrayList<>();
            for (ScheduledRun run : s.runs()) {
                boolean expired = now.isAfter(UtcTimes.parse(run.startedAt()).plus(retention));
                if (run.failure() != null) {
                    if (!expired) kept.add(run);
                } else if (unreadable.contains(run.backupId())) {
                    kept.add(run);
                } else if (manifests.containsKey(run.backupId())
                        && !(expired && !run.backupId().equals(lastGood) && deleteExpired(s, run))) {
                    kept.add(run);
                }
            }
            if (s.deleted() && kept.isEmpty()) store.remove(s.scheduleId());
            else if (kept.size() != s.runs().size()) store.put(s.withRuns(kept));
        }
    }

    /** The backup id of the schedule's newest run whose backup is Ready, or null if none is. */
    private static String newestReady(BackupSchedule s, Map<String, BackupManifest> manifests) {
        ScheduledRun newest = null;
        for (ScheduledRun run : s.runs()) {
            BackupManifest m = manifests.get(run.backupId());
            if (m == null || m.status() != BackupStatus.Ready) continue;
            if (newest == null || UtcTimes.parse(run.startedAt()).isAfter(UtcTimes.parse(newest.startedAt()))) newest = run;
        }
        return newest == null ? null : newest.backupId();
    }

    /** True if the backup was deleted; false if it must stay for now (a restore reads it, it is still copied). */
    private boolean deleteExpired(BackupSchedule s, ScheduledRun run) throws IOException {
        try {
            backups.delete(s.project(), run.backupId());
            log.info("Retention of backup schedule {} deleted backup {} ({}, older than {} days)", s.scheduleId(),
                    run.backupId(), run.name(), s.retentionDays());
            return true;
        } catch (ConiferException e) {
            log.info("Backup {} has expired but is kept for now: {}", run.backupId(), e.getMessage());
            return false;
        }
    }

    /** Disables, for good, the schedules whose index has been deleted since the last operation. */
    private void noticeDeletedIndexes(Instant now) throws IOException {
        for (BackupSchedule s : store.all()) {
            if (s.indexDeletedAt() == null && indexes.byId(s.indexId()) == null) {
                store.put(s.withIndexDeleted(now));
                log.info("Backup schedule {} '{}' is disabled: its index '{}' was deleted", s.scheduleId(), s.name(),
                        s.indexName());
            }
        }
    }

    private void requireNoOtherEnabled(String indexId, String exceptScheduleId) {
        for (BackupSchedule s : store.all()) {
            if (s.enabled() && s.indexId().equals(indexId) && !s.scheduleId().equals(exceptScheduleId)) {
                throw new ConiferException(ErrorCode.ALREADY_EXISTS,
                        "This index already has an enabled backup schedule. Disable or delete it first.");
            }
        }
    }

    private BackupSchedule visible(String project, String scheduleId) {
        BackupSchedule s = store.get(scheduleId);
        if (s == null || s.deleted() || !s.project().equals(project)) {
            throw ConiferException.notFound("Backup schedule " + scheduleId + " not found.");
        }
        return s;
    }

    private BackupManifest manifest(String project, String backupId) {
        try {
            return backups.describe(project, backupId);
        } catch (ConiferException e) {
            return null;
        }
    }
}
