package io.conifer.schedule;

/**
 * One run of a schedule: the backup it took (or tried to take) under an id chosen before the run, so
 * a run interrupted by a crash is recognised on start by whether that backup exists. {@code failure}
 * is set when no backup could be started (the index was gone, the quota was full, the server stopped
 * mid-run); {@code startedAt} is the scheduler's clock at the run, which retention counts from.
 */
public record ScheduledRun(String backupId, String name, String slot, String startedAt, boolean pending, String failure) {
    ScheduledRun started() {
        return new ScheduledRun(backupId, name, slot, startedAt, false, null);
    }

    ScheduledRun failed(String reason) {
        return new ScheduledRun(backupId, name, slot, startedAt, false, reason);
    }
}
